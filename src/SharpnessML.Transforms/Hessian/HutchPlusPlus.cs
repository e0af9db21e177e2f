using SharpnessML.Transforms.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="HutchPlusPlus"/>.</summary>
public sealed class HutchPlusPlusOptions : HessianOptions
{
    /// <summary>
    /// Total Hessian-vector products m (at least 3), split into thirds as in Meyer et al. (2021).
    /// Default 100, the same budget as <see cref="HutchinsonOptions.MaxSamples"/> (PyHessian's <c>maxIter</c>).
    /// </summary>
    public int Budget { get; set; } = 100;

    /// <summary>
    /// Stop the stochastic (residual) phase once the standard error is at most this fraction of |estimate| (checked
    /// from <see cref="MinSamples"/> residual samples on); the sketch always takes its 2⌊<see cref="Budget"/>/3⌋
    /// products, so <see cref="Budget"/> is the maximum. 0 (the default) always spends the whole budget, as Meyer et
    /// al. (2021) do.
    /// </summary>
    public double Tolerance { get; set; }

    /// <summary>Residual samples taken before the standard error is trusted for early stopping. Default 10 (as <see cref="HutchinsonOptions.MinSamples"/>).</summary>
    public int MinSamples { get; set; } = 10;

    /// <summary>The shared settings, and <see cref="MeasureSettings.Tolerance"/> as <see cref="Tolerance"/>.</summary>
    protected internal override void Apply(MeasureSettings settings)
    {
        base.Apply(settings);
        if (settings.Tolerance is { } tolerance) Tolerance = tolerance;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Budget < 3) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "Budget must be at least 3 products.");
        if (MinSamples < 2) throw new ArgumentOutOfRangeException(nameof(MinSamples), MinSamples, "MinSamples must be at least 2.");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
    }
}

/// <summary>
/// Hutch++ (Meyer, Musco, Musco and Woodruff 2021, "Hutch++: Optimal Stochastic Trace
/// Estimation"). With budget m and k = ⌊m/3⌋: sketch Y = H·S for k Rademacher columns S, take an
/// orthonormal basis Q of Y, compute tr(QᵀHQ) exactly (k products), and estimate the trace of the
/// remainder (I−QQᵀ)H(I−QQᵀ) by Hutchinson with the m − 2k products left. The top of the spectrum
/// is captured exactly, so on Hessians with a few large eigenvalues the error at a fixed budget is
/// far below plain Hutchinson's. The estimate is unbiased for any Q.
/// </summary>
public static class HutchPlusPlus
{
    /// <summary>Estimates tr(<paramref name="op"/>) with <see cref="HutchPlusPlusOptions.Budget"/> products.</summary>
    public static TraceResult Trace(ILinearOperator op, HutchPlusPlusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new HutchPlusPlusOptions();
        options.Validate();
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)options.Seed);
        int k = (int)Math.Min(options.Budget / 3, op.Dimension);
        long products = 0;

        var sketch = new Tensor[k];
        for (int j = 0; j < k; j++)
        {
            sketch[j] = op.Multiply(FlatVectors.Rademacher(op, generator));
            products++;
        }
        var (q, _) = torch.linalg.qr(torch.stack(sketch, 1)); // [n, k], orthonormal columns

        double top = 0;
        for (int j = 0; j < q.shape[1]; j++)
        {
            using var step = torch.NewDisposeScope();
            var column = q.select(1, j).contiguous();
            top += FlatVectors.Dot(column, op.Multiply(column));
            products++;
        }

        var stats = new RunningMoments();
        int remaining = options.Budget - (int)products;
        bool exact = q.shape[1] >= op.Dimension;
        for (int i = 0; i < remaining && !exact; i++)
        {
            using var step = torch.NewDisposeScope();
            var z = FlatVectors.Rademacher(op, generator);
            var projected = z - q.mv(q.t().mv(z));
            stats.Add(FlatVectors.Dot(projected, op.Multiply(projected)));
            products++;
            if (Hutchinson.Reached(options.Tolerance, options.MinSamples, stats.Count, stats.StandardError, top + stats.Mean)) break;
        }
        return exact
            ? new TraceResult(top, 0, 0, products, TraceMethod.HutchPlusPlus)
            : new TraceResult(top + stats.Mean, stats.StandardError, stats.Count, products, TraceMethod.HutchPlusPlus);
    }
}
