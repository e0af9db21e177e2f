using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Cli.Bench;

/// <summary>
/// A long-lived Python process running <c>benchmarks/python/anchor_server.py</c> (embedded in this assembly) under
/// Debian's <c>/usr/bin/python3</c> with torch: one JSON command per line on its stdin, one JSON reply per line
/// on its stdout, so bench rounds can alternate between this process and it, each side timed in its own process.
/// OpenBLAS's <c>libblas.so.3</c> goes first on its <c>LD_LIBRARY_PATH</c> when installed (Debian's PyTorch
/// otherwise takes the reference BLAS); which BLAS it loaded is read from its memory map (<see cref="Blas"/>).
/// </summary>
internal sealed class PythonAnchor : IDisposable
{
    /// <summary>Debian's interpreter (the <c>python3</c> on PATH may be another one, without torch).</summary>
    public const string DefaultInterpreter = "/usr/bin/python3";

    /// <summary>Where Debian's libopenblas0-pthread puts its <c>libblas.so.3</c>.</summary>
    public const string OpenBlasDirectory = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

    private readonly Process process;
    private readonly string folder;
    private int files;

    private PythonAnchor(Process process, string folder, JsonObject info)
    {
        this.process = process;
        this.folder = folder;
        TorchVersion = (string)info["torch"]!;
        Blas = (string)info["blas"]!;
    }

    /// <summary>The Python side's torch version.</summary>
    public string TorchVersion { get; }

    /// <summary>The BLAS the Python process loaded (OpenBLAS, reference BLAS, MKL), from /proc/&lt;pid&gt;/maps.</summary>
    public string Blas { get; }

    /// <summary>The server script's text.</summary>
    public static string Script()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SharpnessML.Cli.Bench.anchor_server.py")
            ?? throw new InvalidOperationException("The embedded anchor_server.py is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Starts the server, or returns null with the reason (no interpreter, no torch, the script failed).</summary>
    public static PythonAnchor? Start(out string reason, string interpreter = DefaultInterpreter)
    {
        if (!File.Exists(interpreter))
        {
            reason = $"{interpreter} is not installed";
            return null;
        }
        var folder = Directory.CreateTempSubdirectory("sharpnessml-python-").FullName;
        var script = Path.Combine(folder, "anchor_server.py");
        File.WriteAllText(script, Script());
        var start = new ProcessStartInfo(interpreter) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        // The same OpenMP wait policy as this process (NativeEnvironment: passive unless the user chose): libgomp's
        // default active wait spins its idle threads, which made Debian's PyTorch 10-20× slower at 2 threads on a busy machine.
        start.Environment["OMP_WAIT_POLICY"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE";
        if (File.Exists(Path.Combine(OpenBlasDirectory, "libblas.so.3")))
        {
            var old = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            start.Environment["LD_LIBRARY_PATH"] = string.IsNullOrEmpty(old) ? OpenBlasDirectory : OpenBlasDirectory + ":" + old;
        }
        Process? process = null;
        try
        {
            process = Process.Start(start);
            if (process is null) throw new InvalidOperationException("no process");
            var stderr = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            var anchor = new PythonAnchor(process, folder, Info(process, stderr));
            reason = "";
            return anchor;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            if (process is { HasExited: false }) process.Kill();
            process?.Dispose();
            Directory.Delete(folder, recursive: true);
            reason = $"{interpreter} with torch did not start ({e.Message})";
            return null;
        }
    }

    private static JsonObject Info(Process process, System.Text.StringBuilder stderr)
    {
        process.StandardInput.WriteLine("{\"cmd\": \"info\"}");
        process.StandardInput.Flush();
        var line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            process.WaitForExit(5000);
            string message;
            lock (stderr) message = stderr.ToString().Trim().Split('\n').LastOrDefault() ?? "";
            throw new InvalidOperationException(message.Length > 0 ? message : "no reply");
        }
        return JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>Sends one command and returns its reply; a reply with "error", or no reply, throws <see cref="PythonAnchorException"/>.</summary>
    public JsonObject Send(object command)
    {
        process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        process.StandardInput.Flush();
        var line = process.StandardOutput.ReadLine() ?? throw new PythonAnchorException("the Python process exited.");
        var reply = JsonNode.Parse(line)!.AsObject();
        if (reply["error"] is JsonNode error) throw new PythonAnchorException((string)error!);
        return reply;
    }

    /// <summary>Sets torch's (and OpenBLAS's) thread count on the Python side.</summary>
    public void SetThreads(int threads)
    {
        Send(new { cmd = "threads", n = threads });
        Threads = threads;
    }

    /// <summary>The Python side's thread count as last set (0: its default).</summary>
    public int Threads { get; private set; }

    /// <summary>The BLAS and its thread count, for a row.</summary>
    public string BlasDescription => Threads > 0 && Blas == "OpenBLAS" ? $"OpenBLAS ({Threads} thread{(Threads == 1 ? "" : "s")})" : Blas;

    /// <summary>
    /// Hands a network and its data to the Python side under <paramref name="name"/>: the parameters and
    /// floating-point buffers in module order, the features and the labels, as raw little-endian files.
    /// </summary>
    /// <param name="name">The name later commands use.</param>
    /// <param name="architecture">The Python side's description of the layers: <c>arch</c> and its fields.</param>
    /// <param name="net">The network (its values are copied, not changed).</param>
    /// <param name="data">The examples.</param>
    public long Load(string name, IReadOnlyDictionary<string, object> architecture, nn.Module<Tensor, Tensor> net, SupervisedTensors data)
    {
        var tensors = net.parameters().Cast<Tensor>().Concat(net.buffers().Where(b => b.is_floating_point())).ToList();
        var weights = Write(tensors.SelectMany(t => t.detach().cpu().to(float32).data<float>().ToArray()).ToArray());
        var x = Write(data.Features.cpu().to(float32).data<float>().ToArray());
        bool regression = data.Labels.is_floating_point();
        var y = regression ? Write(data.Labels.cpu().to(float32).data<float>().ToArray()) : Write(data.Labels.cpu().to(int64).data<long>().ToArray());
        var command = new Dictionary<string, object>(architecture)
        {
            ["cmd"] = "load", ["name"] = name, ["weights"] = weights, ["x"] = x, ["y"] = y,
            ["n"] = data.Count, ["d"] = data.Features.shape[1], ["task"] = regression ? "regression" : "classification",
            ["shapes"] = tensors.Select(t => t.shape).ToArray(),
        };
        return (long)Send(command)["parameters"]!;
    }

    /// <summary>The Python side's description of an FCNN (Linear layers of these sizes with this activation).</summary>
    public static IReadOnlyDictionary<string, object> Mlp(MlpSpec spec) => new Dictionary<string, object>
    {
        ["arch"] = "mlp", ["sizes"] = spec.LayerSizes, ["activation"] = spec.Activation.ToString().ToLowerInvariant(),
    };

    /// <summary>The Python side's description of a LeNet-5.</summary>
    public static IReadOnlyDictionary<string, object> LeNet(LeNet5Spec s) => new Dictionary<string, object>
    {
        ["arch"] = "lenet5",
        ["lenet"] = new object[] { s.FirstConvChannels, s.SecondConvChannels, s.FirstHiddenSize, s.SecondHiddenSize, s.Classes, s.ImageSize, s.FirstConvPadding, s.DropoutRate },
    };

    private string Write<T>(T[] values) where T : unmanaged
    {
        var path = Path.Combine(folder, $"t{files++.ToString(CultureInfo.InvariantCulture)}.bin");
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return path;
    }

    /// <summary>Closes the server's stdin (it exits), kills it if it does not, and deletes the exchange files.</summary>
    public void Dispose()
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000)) process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // already gone
        }
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The Python anchor process answered a command with an error, or exited.</summary>
internal sealed class PythonAnchorException(string message) : Exception(message);
