namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// Settings of a loss surface (<see cref="LossSurfaces.Compute"/>): the grid, its directions and the examples it is
/// evaluated on. Defaults follow Li et al. (2018, "Visualizing the Loss Landscape of Neural Nets") and their code
/// (tomgoldstein/loss-landscape, <c>plot_surface.py</c>).
/// </summary>
public sealed class LossSurfaceOptions
{
    /// <summary>A 2D surface over x and y when true; a 1D curve along x when false (the default).</summary>
    public bool TwoDimensional { get; set; }

    /// <summary>Grid points per axis, the ends included. Default 51 (the paper's plots: <c>--x=-1:1:51</c>).</summary>
    public int Steps { get; set; } = 51;

    /// <summary>Smallest coordinate along each axis. Default −1 (the paper's plots).</summary>
    public double RangeMin { get; set; } = -1;

    /// <summary>Largest coordinate along each axis. Default 1 (the paper's plots).</summary>
    public double RangeMax { get; set; } = 1;

    /// <summary>Random (the default, the paper's) or the Hessian's top eigenvectors.</summary>
    public SurfaceDirections Directions { get; set; } = SurfaceDirections.Random;

    /// <summary>Filter normalisation (the default, the paper's <c>--xnorm filter</c>) or none.</summary>
    public DirectionNormalization Normalization { get; set; } = DirectionNormalization.Filter;

    /// <summary>
    /// Zero the direction in every tensor of at most one dimension — biases and normalisation layers' scales and shifts
    /// (and running statistics when they move) — as the paper's <c>--xignore biasbn</c> does. Default true (the paper's
    /// plots). When false, such a tensor's direction is the tensor itself (with filter normalisation; their code's
    /// choice for filters of one entry) or the drawn direction (without).
    /// </summary>
    public bool IgnoreBiasAndNormalization { get; set; } = true;

    /// <summary>Whether BatchNorm running statistics stay fixed (the default, <c>--dir_type weights</c>) or move (<c>states</c>).</summary>
    public BatchNormStatistics BatchNormStatistics { get; set; } = BatchNormStatistics.Fixed;

    /// <summary>
    /// Examples the surface is evaluated on, drawn without replacement with <see cref="Seed"/> (every grid point uses the
    /// same ones); null for all. Default 1024 (a 21×21 grid of LeNet-5 then takes seconds, not minutes).
    /// </summary>
    public int? ExampleCount { get; set; } = 1024;

    /// <summary>Examples per forward pass. Default 1024 (the subset in one pass).</summary>
    public int ChunkSize { get; set; } = 1024;

    /// <summary>Seed of the examples, the random directions and the Lanczos start vector. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Lanczos steps at most when <see cref="Directions"/> is <see cref="SurfaceDirections.HessianEigenvectors"/>.
    /// Default 100 (PyHessian's <c>maxIter</c>, as <see cref="Hessian.LanczosOptions"/>).
    /// </summary>
    public int LanczosIterations { get; set; } = 100;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps < 2) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 2 (the two ends of the range).");
        if (!double.IsFinite(RangeMin) || !double.IsFinite(RangeMax) || !(RangeMin < RangeMax))
            throw new ArgumentOutOfRangeException(nameof(RangeMin), RangeMin, $"The range must be finite with RangeMin < RangeMax (got {RangeMin} to {RangeMax}).");
        if (!Enum.IsDefined(Directions)) throw new ArgumentOutOfRangeException(nameof(Directions), Directions, "Unknown directions.");
        if (!Enum.IsDefined(Normalization)) throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown normalisation.");
        if (!Enum.IsDefined(BatchNormStatistics)) throw new ArgumentOutOfRangeException(nameof(BatchNormStatistics), BatchNormStatistics, "Unknown BatchNorm handling.");
        if (ExampleCount is < 1) throw new ArgumentOutOfRangeException(nameof(ExampleCount), ExampleCount, "ExampleCount must be at least 1 (or null for all examples).");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be at least 1.");
        if (LanczosIterations < 2) throw new ArgumentOutOfRangeException(nameof(LanczosIterations), LanczosIterations, "LanczosIterations must be at least 2.");
    }

    /// <summary>The grid's coordinates along one axis: <see cref="Steps"/> evenly spaced values from <see cref="RangeMin"/> to <see cref="RangeMax"/>.</summary>
    public double[] Coordinates() =>
        Enumerable.Range(0, Steps).Select(i => i == Steps - 1 ? RangeMax : RangeMin + (RangeMax - RangeMin) * i / (Steps - 1)).ToArray();
}
