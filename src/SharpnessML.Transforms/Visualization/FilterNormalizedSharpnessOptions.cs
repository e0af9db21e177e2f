namespace SharpnessML.Transforms.Visualization;

/// <summary>Settings of <see cref="FilterNormalizedSharpness"/> (the measure <c>landscape-1d-sharpness</c>).</summary>
public sealed class FilterNormalizedSharpnessOptions
{
    /// <summary>
    /// α, the step along each filter-normalised direction. Default 0.1: a tenth of the half-width of Li et al.'s (2018)
    /// plots (−1 to 1), where a trained network's loss has risen but not yet saturated; chosen here, not by a paper.
    /// </summary>
    public double Step { get; set; } = 0.1;

    /// <summary>Random directions averaged. Default 10.</summary>
    public int Directions { get; set; } = 10;

    /// <summary>Zero the directions of biases and normalisation layers (the paper's <c>--xignore biasbn</c>). Default true.</summary>
    public bool IgnoreBiasAndNormalization { get; set; } = true;

    /// <summary>Examples the losses are taken on, drawn once with <see cref="Seed"/>; null (the default) for all.</summary>
    public int? ExampleCount { get; set; }

    /// <summary>Examples per forward pass. Default 1024.</summary>
    public int ChunkSize { get; set; } = 1024;

    /// <summary>Seed of the directions (and the examples). Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Step > 0) || !double.IsFinite(Step)) throw new ArgumentOutOfRangeException(nameof(Step), Step, "Step must be a positive finite number.");
        if (Directions < 1) throw new ArgumentOutOfRangeException(nameof(Directions), Directions, "Directions must be at least 1.");
        if (ExampleCount is < 1) throw new ArgumentOutOfRangeException(nameof(ExampleCount), ExampleCount, "ExampleCount must be at least 1 (or null for all).");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be at least 1.");
    }
}
