using System.Diagnostics.CodeAnalysis;
using SharpnessML.Transforms.Baselines;
using SharpnessML.Transforms.Curvature;
using SharpnessML.Transforms.Geodesic;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using SharpnessML.Transforms.Spectral;
using SharpnessML.Transforms.Visualization;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// Measures by name, so the CLI (<c>--measure NAME</c>), model selection and studies can ask for any of them.
/// <c>ml.Sharpness().Measures</c> is an MLContext's registry: the built-in measures (<see cref="BuiltInMeasures"/>)
/// plus any the user registers with <see cref="Register"/>. <see cref="BuiltIn"/> is a shared, read-only
/// registry of the built-in measures for code without an MLContext.
/// </summary>
/// <remarks>
/// Built-in names: <c>{adaptive|standard}-{worst|avg}-{linf|l2}</c> (perturbation), <c>geodesic</c>,
/// <c>hessian-top-eigenvalues</c>, <c>hessian-trace</c>, <c>hessian-trace-hutchpp</c>,
/// <c>hessian-diag-sqrt-trace</c>, <c>hessian-diag-sum-squares</c>, <c>hessian-density</c>, <c>renyi</c>,
/// <c>pac-bayes</c>, <c>pac-bayes-plain</c>, <c>fisher-rao</c>, <c>weight-l2-norm</c>, <c>weight-l1-norm</c> and
/// <c>log-prod-of-fro</c> (data-free), <c>ggn-top-eigenvalues</c>, <c>ggn-trace</c>, <c>fisher-trace</c> (Monte-Carlo
/// Fisher), <c>empirical-fisher-trace</c>, <c>kfac-trace</c>, <c>kfac-top-eigenvalues</c> (curvature), and the data-free
/// spectral metrics <c>alpha</c>, <c>alpha-weighted</c>, <c>log-spectral-norm</c>, <c>stable-rank</c> and <c>log-norm</c>
/// (<see cref="IDataFreeMeasure"/>), and <c>landscape-1d-sharpness</c> (filter-normalised, Li et al. 2018). A registry is safe to read from several threads; registering while others measure is too.
/// </remarks>
public sealed class MeasureRegistry
{
    private readonly Dictionary<string, ISharpnessMeasure> measures = new(StringComparer.Ordinal);
    private readonly bool readOnly;

    /// <summary>A registry holding the built-in measures, to which the user may add their own.</summary>
    public MeasureRegistry() : this(readOnly: false)
    {
    }

    private MeasureRegistry(bool readOnly)
    {
        foreach (var measure in BuiltInMeasures()) Add(measure);
        this.readOnly = readOnly;
    }

    /// <summary>
    /// The built-in measures, shared and read-only (<see cref="Register"/> refuses): for code that has no
    /// MLContext, such as the CLI's <c>score</c> and <c>select</c> and studies.
    /// </summary>
    public static MeasureRegistry BuiltIn { get; } = new(readOnly: true);

    /// <summary>A new instance of every built-in measure, in the order of the registry's remarks.</summary>
    public static IReadOnlyList<ISharpnessMeasure> BuiltInMeasures()
    {
        var list = new List<ISharpnessMeasure>();
        foreach (var adaptive in new[] { true, false })
        foreach (var norm in new[] { PerturbationNorm.LInfinity, PerturbationNorm.L2 })
        {
            list.Add(new WorstCaseSharpnessMeasure(adaptive, norm));
            list.Add(new AverageCaseSharpnessMeasure(adaptive, norm));
        }
        list.Add(new GeodesicSharpnessMeasure());
        list.AddRange(BaselineMeasures.All());
        list.AddRange(HessianSharpnessMeasures.All());
        list.AddRange(CurvatureSharpnessMeasures.All());
        list.AddRange(SpectralMeasure.All());
        list.Add(new FilterNormalizedSharpnessMeasure());
        return list;
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (measures) return measures.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Adds <paramref name="measure"/> under its <see cref="ISharpnessMeasure.Name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or already registered (a built-in measure or an earlier registration).</exception>
    /// <exception cref="InvalidOperationException">This is the read-only <see cref="BuiltIn"/> registry.</exception>
    public void Register(ISharpnessMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        if (readOnly)
            throw new InvalidOperationException(
                "MeasureRegistry.BuiltIn is shared and read-only; register your measure on ml.Sharpness().Measures or on a new MeasureRegistry().");
        Add(measure);
    }

    private void Add(ISharpnessMeasure measure)
    {
        var name = measure.Name;
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"A measure needs a non-empty name; {measure.GetType().Name}.Name is '{name}'.", nameof(measure));
        lock (measures)
        {
            if (measures.TryGetValue(name, out var existing))
                throw new ArgumentException(
                    $"A measure named '{name}' is already registered ({existing.GetType().Name}); give {measure.GetType().Name} another name.",
                    nameof(measure));
            measures.Add(name, measure);
        }
    }

    /// <summary>Whether a measure is called <paramref name="name"/>, and if so which.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out ISharpnessMeasure? measure)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (measures) return measures.TryGetValue(name, out measure);
    }

    /// <summary>The measure called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No measure has that name; the message lists the known ones.</exception>
    public ISharpnessMeasure Get(string name) =>
        TryGet(name, out var measure) ? measure
            : throw new ArgumentException($"Unknown measure '{name}'. Known measures: {string.Join(", ", Names)}.");

    /// <summary>Throws an <see cref="ArgumentException"/> listing the known names when <paramref name="name"/> is unknown.</summary>
    public void Validate(string name) => Get(name);

    /// <summary>Runs the measure called <paramref name="name"/> on <paramref name="landscape"/>.</summary>
    /// <exception cref="ArgumentException">No measure has that name; the message lists the known ones.</exception>
    public MeasureResult Measure(string name, LossLandscape landscape, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(settings);
        var measure = Get(name);
        return measure.Measure(landscape, settings)
            ?? throw new InvalidOperationException($"Measure '{name}' ({measure.GetType().Name}) returned no result.");
    }
}
