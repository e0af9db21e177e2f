using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.TorchScript;

/// <summary>
/// A TorchScript module saved by PyTorch (<c>torch.jit.save</c>) as an ordinary
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>: its parameters are this module's, so every sharpness
/// measure and the training loop work on it unchanged. The script must map a [n, d] float tensor
/// to [n, outputs].
/// </summary>
public sealed class TorchScriptNetwork : nn.Module<Tensor, Tensor>
{
    private readonly torch.jit.ScriptModule<Tensor, Tensor> script;

    private TorchScriptNetwork(torch.jit.ScriptModule<Tensor, Tensor> script, string path) : base(nameof(TorchScriptNetwork))
    {
        this.script = script;
        SourcePath = path;
        RegisterComponents();
    }

    /// <summary>The file the module was loaded from.</summary>
    public string SourcePath { get; }

    /// <summary>Loads a TorchScript file; refuses a missing or unreadable one with a message naming it.</summary>
    public static TorchScriptNetwork Load(string path)
    {
        Data.InputFile.Check(path, "TorchScript file", Data.InputFile.MaxModelBytes);
        CheckArchive(path);
        TorchRuntime.EnsureInitialized();
        torch.jit.ScriptModule<Tensor, Tensor> script;
        try
        {
            script = torch.jit.load<Tensor, Tensor>(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a TorchScript module that TorchSharp can load: {FirstLine(e.Message)}", e);
        }
        var network = new TorchScriptNetwork(script, path);
        network.eval();
        return network;
    }

    /// <summary>A TorchScript file is a zip (torch.jit.save): its entries' declared sizes are bounded before libtorch inflates any.</summary>
    private static void CheckArchive(string path)
    {
        System.IO.Compression.ZipArchive zip;
        try
        {
            zip = System.IO.Compression.ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            return; // not a zip: libtorch's own message says what it is not
        }

        using (zip) ModelFiles.SharpnessModelFile.CheckEntrySizes(zip, $"TorchScript file '{path}'");
    }

    /// <summary>
    /// Saves the module with its current parameters (e.g. after fine-tuning) as a TorchScript file
    /// (<c>torch.jit.save</c>), which PyTorch's <c>torch.jit.load</c> and <see cref="Load"/> read.
    /// Writes a temporary file beside <paramref name="path"/> and moves it into place.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]; // the pid: a later run removes what a killed one left
        try
        {
            torch.jit.save(script, temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Runs one example of width <paramref name="width"/> through the module and returns the output
    /// width, or throws an <see cref="ArgumentException"/> saying the module does not accept that width.
    /// </summary>
    public int CheckInputWidth(int width)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        try
        {
            var output = call(torch.zeros(1, width));
            if (output.dim() == 1) return 1;
            if (output.dim() != 2 || output.shape[0] != 1)
                throw new ArgumentException($"TorchScript model '{SourcePath}' returns shape [{string.Join(", ", output.shape)}] for one example; expected [1, outputs].");
            return (int)output.shape[1];
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"TorchScript model '{SourcePath}' does not accept inputs with {width} features: {FirstLine(e.Message)}", e);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => script.call(input);

    /// <summary>
    /// The submodules, listed eagerly. TorchSharp's <c>Dispose</c> walks this lazily and disposes
    /// each module as it goes, so a lazy walk would ask the already disposed script for its children
    /// and throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => base.named_modules().ToList();

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
