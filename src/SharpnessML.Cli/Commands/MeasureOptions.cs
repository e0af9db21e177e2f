using System.CommandLine;
using System.Globalization;
using SharpnessML.Trainers;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// The measure settings <c>score</c> and <c>select</c> share, parsed once into a <see cref="MeasureSettings"/>: each
/// measure takes the ones that apply to it (its options' <c>OptionsFor</c>), so no command knows any measure's options.
/// Also <c>--threads</c>, a setting of the process. Each bad value is refused before any file is read, with one line
/// naming the option.
/// </summary>
internal sealed class MeasureOptions
{
    public Option<double?> Rho { get; } = new("--rho") { Description = "Perturbation radius (each measure's default otherwise)." };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of batches, starts and probe vectors (the same for every candidate).", DefaultValueFactory = _ => 0 };

    public Option<int?> Threads { get; } = new("--threads") { Description = "Torch intra-op threads (torch's choice otherwise; 1 is fastest for small models on a busy machine)." };

    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "m of m-sharpness: examples per random batch of the perturbation and geodesic measures (default 64)." };

    public Option<int?> Batches { get; } = new("--batches") { Description = "Random batches averaged by the perturbation and geodesic measures (each measure's default otherwise)." };

    public Option<int?> Steps { get; } = new("--steps") { Description = "Ascent steps of the worst-case and geodesic measures (each measure's default otherwise)." };

    public Option<int?> Eigenvalues { get; } = new("--eigenvalues") { Description = "Top eigenvalues of the *-top-eigenvalues measures (default 5)." };

    public Option<int?> SlqVectors { get; } = new("--slq-vectors") { Description = "Start vectors of stochastic Lanczos quadrature: hessian-density, renyi (default 10; the maximum with --tolerance)." };

    public Option<double?> Tolerance { get; } = new("--tolerance")
    {
        Description = "Relative standard error at which the stochastic Hessian estimators stop (trace, diagonal, SLQ; their product budget is the maximum); 0 = off. Default: 1e-3 for Hutchinson, off for the others.",
    };

    public Option<int?> ChunkSize { get; } = new("--chunk-size") { Description = "Examples per chunk of the Hessian measures' whole-data products (default 1024)." };

    public Option<string?> MemoryBudget { get; } = new("--memory-budget")
    {
        Description = "Memory the Hessian measures may keep in gradient graphs between products, in bytes or with K, M, G (binary; e.g. 512M; default 1G): " +
                      "within it each chunk's graph is built once (faster), beyond it recomputed per product (memory of one chunk).",
    };

    public IEnumerable<Option> All => new Option[] { Rho, Seed, Threads, BatchSize, Batches, Steps, Eigenvalues, SlqVectors, Tolerance, ChunkSize, MemoryBudget };

    /// <summary>The settings the options stand for, checked (one line naming the option on a bad value).</summary>
    public MeasureSettings Read(ParseResult parse)
    {
        AtLeastOne(parse.GetValue(Threads), "--threads");
        AtLeastOne(parse.GetValue(BatchSize), "--batch-size");
        AtLeastOne(parse.GetValue(Batches), "--batches");
        AtLeastOne(parse.GetValue(Steps), "--steps");
        AtLeastOne(parse.GetValue(Eigenvalues), "--eigenvalues");
        AtLeastOne(parse.GetValue(SlqVectors), "--slq-vectors");
        AtLeastOne(parse.GetValue(ChunkSize), "--chunk-size");
        if (parse.GetValue(Tolerance) is { } t && !(t >= 0 && t < 1))
            throw new ArgumentException($"--tolerance must be a relative standard error in [0, 1) (0 turns it off); got {t.ToString("R", CultureInfo.InvariantCulture)}.");
        var settings = new MeasureSettings(parse.GetValue(Rho), parse.GetValue(Seed), parse.GetValue(BatchSize), parse.GetValue(Batches), parse.GetValue(Steps),
            parse.GetValue(Tolerance), parse.GetValue(Eigenvalues), parse.GetValue(SlqVectors), parse.GetValue(ChunkSize),
            parse.GetValue(MemoryBudget) is { } budget ? ParseBytes(budget) : null);
        settings.Validate();
        return settings;
    }

    /// <summary>
    /// Starts loading libtorch (about a third of a second: libtorch_cpu alone is hundreds of MB to map and relocate) and
    /// applies <c>--threads</c> on a pool thread, so the load overlaps reading the data and the model file; wait on the
    /// task before the first torch call (it rethrows a load failure).
    /// </summary>
    public Task StartTorch(ParseResult parse)
    {
        var threads = parse.GetValue(Threads);
        return Task.Run(() =>
        {
            TorchRuntime.EnsureInitialized();
            TorchRuntime.SetThreads(threads);
        });
    }

    private static void AtLeastOne(int? value, string option)
    {
        if (value is < 1) throw new ArgumentException($"{option} must be at least 1; got {value}.");
    }

    /// <summary>Bytes from <c>123</c>, <c>512K</c>, <c>64M</c>, <c>1G</c> (powers of 1024; <c>KiB</c>, <c>MB</c> … also read as binary).</summary>
    internal static long ParseBytes(string text)
    {
        var s = text.Trim();
        long unit = 1;
        var upper = s.ToUpperInvariant();
        foreach (var (suffix, factor) in new[] { ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1L) })
            if (upper.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = factor;
                s = s[..^suffix.Length].TrimEnd();
                break;
            }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0 || number * unit > long.MaxValue / 2)
            throw new ArgumentException($"--memory-budget must be a size in bytes such as 1073741824, 512M or 1G; got '{text}'.");
        return (long)Math.Round(number * unit);
    }
}
