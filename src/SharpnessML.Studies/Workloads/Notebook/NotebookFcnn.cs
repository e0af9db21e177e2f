using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The Abalone notebook's <c>NetFCNN</c>: linear layers with ELU after every one of them, the output layer included
/// (so a prediction is never below −1 on the standardised label), PyTorch's default initialisation.
/// </summary>
internal sealed class NotebookFcnn : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers = new();
    private readonly bool eluOutput;

    /// <param name="sizes">Widths from input to output (the notebook's 10-64-64-1).</param>
    /// <param name="eluOutput">ELU after the output layer as in the notebook; false gives a linear output (the library's FCNN).</param>
    public NotebookFcnn(int[] sizes, bool eluOutput = true) : base(nameof(NotebookFcnn))
    {
        if (sizes.Length < 2 || sizes.Any(s => s < 1)) throw new ArgumentException($"Layer sizes must be at least two positive widths; got [{string.Join(", ", sizes)}].", nameof(sizes));
        this.eluOutput = eluOutput;
        for (int i = 0; i + 1 < sizes.Length; i++) layers.Add(nn.Linear(sizes[i], sizes[i + 1]));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].call(x);
            if (eluOutput || i + 1 < layers.Count) x = nn.functional.elu(x, 1.0);
        }

        return x;
    }
}

/// <summary>The notebooks' projection after each ascent step, <c>param.data = clamp(param, lower, upper)</c>.</summary>
internal static class NotebookClamp
{
    /// <summary>
    /// Clamps every parameter into its box around <paramref name="center"/>: [c − ρ|c|, c + ρ|c|] with
    /// <paramref name="withAbs"/>, else the FCNN notebook's [c − ρc, c + ρc], whose bounds cross for a negative c, and
    /// <c>torch.clamp</c> (max(min(x, upper), lower) … applied as min(max(x, lower), upper)) then returns the upper
    /// bound c(1 + ρ) whatever x is.
    /// </summary>
    public static void Project(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> center, double rho, bool withAbs)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var c = center[i];
            var radius = withAbs ? c.abs() * rho : c * rho;
            parameters[i].copy_(parameters[i].clamp(c - radius, c + radius));
        }
    }

    /// <summary>Detached copies of the parameters' current values.</summary>
    public static Tensor[] Snapshot(IEnumerable<Parameter> parameters) => parameters.Select(p => p.detach().clone()).ToArray();

    /// <summary>Writes <paramref name="values"/> back into the parameters.</summary>
    public static void Restore(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> values)
    {
        using var _ = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(values[i]);
    }
}
