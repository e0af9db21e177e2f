using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Studies;

/// <summary>
/// One measure a study takes of every member, by its <see cref="MeasureRegistry"/> name, with the settings that
/// override the measure's defaults. Every member is measured on its training data with seed
/// <c>Seed + member seed</c>.
/// </summary>
public sealed class StudyMeasureSpec
{
    /// <summary>The measure's name, e.g. <c>adaptive-worst-linf</c> (see <see cref="MeasureRegistry.Names"/>).</summary>
    public string Name { get; set; } = "adaptive-worst-linf";

    /// <summary>Perturbation radius ρ; the measure's default when null.</summary>
    public double? Rho { get; set; }

    /// <summary>m of m-sharpness (examples per random batch); the measure's default (64) when null.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Random batches averaged; the measure's default when null.</summary>
    public int? Batches { get; set; }

    /// <summary>Ascent steps; the measure's default when null.</summary>
    public int? Steps { get; set; }

    /// <summary>
    /// Measure on this many training examples drawn once per member (seeded), instead of all of them. Hessian
    /// measures differentiate the loss of the whole measured set, so this bounds their cost on large data sets.
    /// Null (default): all training examples.
    /// </summary>
    public int? Examples { get; set; }

    /// <summary>Offset added to each member's seed to seed the measure. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>The largest ρ a measure accepts (<see cref="MeasureSettings.MaxRho"/>).</summary>
    public const double MaxRho = MeasureSettings.MaxRho;

    /// <summary>The settings passed to the registry for a member with seed <paramref name="memberSeed"/>.</summary>
    public MeasureSettings SettingsFor(int memberSeed) => new(Rho, Seed + memberSeed, BatchSize, Batches, Steps);

    /// <summary>A short label such as <c>adaptive-worst-linf (ρ = 0.025)</c>.</summary>
    public string Label => Rho is { } rho ? $"{Name} (ρ = {rho.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : Name;

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    /// <param name="measures">Where the measure's name must be registered; default <see cref="MeasureRegistry.BuiltIn"/>.</param>
    public void Validate(MeasureRegistry? measures = null)
    {
        (measures ?? MeasureRegistry.BuiltIn).Validate(Name);
        if (Rho is { } rho && !(rho > 0 && rho <= MaxRho))
            throw new ArgumentOutOfRangeException(nameof(Rho), Rho, $"Measure {Name}: rho must be positive and at most {MaxRho}; got {rho.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.");
        if (BatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"Measure {Name}: batchSize must be at least 1.");
        if (Batches is < 1) throw new ArgumentOutOfRangeException(nameof(Batches), Batches, $"Measure {Name}: batches must be at least 1.");
        if (Steps is < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, $"Measure {Name}: steps must be at least 1.");
        if (Examples is < 1) throw new ArgumentOutOfRangeException(nameof(Examples), Examples, $"Measure {Name}: examples must be at least 1.");
    }
}
