using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// K-FAC's block-diagonal approximation of the Fisher (<see cref="Kfac.Compute"/>); the metrics of <c>kfac-trace</c>
/// and <c>kfac-top-eigenvalues</c>. Exact given the factors: no standard error (the Monte-Carlo labels' randomness is not in one).
/// </summary>
public sealed class KfacMetrics : IMeasureMetrics
{
    internal KfacMetrics(IReadOnlyList<KfacBlock> blocks, IReadOnlyList<string> skipped, KfacFisherType fisherType, int samples, long parametersMeasured)
    {
        Blocks = blocks;
        SkippedLayers = skipped;
        FisherType = fisherType;
        MonteCarloSamples = samples;
        ParametersMeasured = parametersMeasured;
        Trace = blocks.Sum(b => b.Trace);
        TopEigenvalues = blocks.SelectMany(b => b.AllEigenvalues()).OrderByDescending(x => x).Take(5).ToArray();
    }

    /// <summary>One block per covered linear or convolution layer, in the module's order.</summary>
    public IReadOnlyList<KfacBlock> Blocks { get; }

    /// <summary>Layers not covered: linear layers whose input was not [examples, features], grouped or non-zero-padded convolutions.</summary>
    public IReadOnlyList<string> SkippedLayers { get; }

    /// <summary>Which gradients the output factors were built from.</summary>
    public KfacFisherType FisherType { get; }

    /// <summary>Labels drawn per example (1 for the empirical type).</summary>
    public int MonteCarloSamples { get; }

    /// <summary>Σ over blocks of tr(G)·tr(A).</summary>
    public double Trace { get; }

    /// <summary>The five largest eigenvalues of the block-diagonal matrix (fewer when it is smaller), largest first.</summary>
    public double[] TopEigenvalues { get; }

    /// <summary>The largest eigenvalue.</summary>
    public double TopEigenvalue => TopEigenvalues[0];

    /// <summary>Parameters in the covered blocks.</summary>
    public long ParametersCovered => Blocks.Sum(b => (long)b.ParameterCount);

    /// <summary>Parameters of the landscape.</summary>
    public long ParametersMeasured { get; }

    /// <summary>
    /// <c>fisher_type</c>, <c>samples</c>, <c>top_eigenvalues</c>, <c>layers</c> (names), <c>layer_traces</c>,
    /// <c>parameters_covered</c>, <c>parameters</c> and <c>skipped</c>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("fisher_type", FisherType == KfacFisherType.MonteCarlo ? "monte-carlo" : "empirical"), new("samples", MonteCarloSamples),
        new("top_eigenvalues", TopEigenvalues.ToArray()), new("layers", string.Join(" ", Blocks.Select(b => b.Name))),
        new("layer_traces", Blocks.Select(b => b.Trace).ToArray()), new("parameters_covered", ParametersCovered),
        new("parameters", ParametersMeasured), new("skipped", string.Join(" ", SkippedLayers)),
    };
}
