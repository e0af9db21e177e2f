using System.Diagnostics;
using System.Globalization;

namespace SharpnessML.Cli.Bench;

/// <summary>Small timing helpers: medians of repeated, interleaved runs after warm-ups, and memory readings.</summary>
internal static class Timing
{
    /// <summary>Median seconds of <paramref name="repeats"/> runs of <paramref name="action"/>, after one warm-up run.</summary>
    public static double Median(Action action, int repeats = 5)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>
    /// Medians of <paramref name="a"/> and <paramref name="b"/> run alternately (after one warm-up of
    /// each), so that a change in the machine's load affects both sides alike.
    /// </summary>
    public static (double A, double B) Alternating(Action a, Action b, int repeats = 5)
    {
        var samples = Interleaved(new[] { a, b }, repeats);
        return (samples[0].Median, samples[1].Median);
    }

    /// <summary>
    /// Runs every action <paramref name="repeats"/> times in rounds (each round runs all of them,
    /// in forward order on even rounds and backward order on odd ones, so none always follows
    /// another), after <paramref name="warmups"/> warm-up rounds. The same round's times of two
    /// actions saw the same machine load, so <see cref="Samples.RatioTo"/> (the median of per-round
    /// ratios) is far steadier on a shared machine than a ratio of separately measured medians.
    /// </summary>
    public static Samples[] Interleaved(IReadOnlyList<Action> actions, int repeats, int warmups = 1) =>
        InterleavedSelfTimed(actions.Select(a => (Func<double>)(() =>
        {
            var clock = Stopwatch.StartNew();
            a();
            return clock.Elapsed.TotalSeconds;
        })).ToArray(), repeats, warmups);

    /// <summary>
    /// <see cref="Interleaved"/> for actions that report their own time in seconds: work in another process
    /// (a Python server timing itself in-process) alternated with work timed here.
    /// </summary>
    public static Samples[] InterleavedSelfTimed(IReadOnlyList<Func<double>> actions, int repeats, int warmups = 1)
    {
        var times = actions.Select(_ => new double[repeats]).ToArray();
        for (int round = -warmups; round < repeats; round++)
        {
            for (int k = 0; k < actions.Count; k++)
            {
                int i = (round & 1) == 0 ? k : actions.Count - 1 - k;
                double seconds = actions[i]();
                if (round >= 0) times[i][round] = seconds;
            }
        }
        return times.Select(t => new Samples(t)).ToArray();
    }

    /// <summary>Resident set size of this process in MiB.</summary>
    public static double ResidentMiB()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Peak resident set size of this process in MiB.</summary>
    public static double PeakResidentMiB()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>A field of /proc/self/status in MiB (VmRSS, VmHWM), or NaN where there is no /proc.</summary>
    public static double ProcStatusMiB(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return double.NaN;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kib = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return double.Parse(kib, CultureInfo.InvariantCulture) / 1024.0;
            }
        return double.NaN;
    }
}

/// <summary>Timings of one action from <see cref="Timing.Interleaved"/>, one per round, in seconds.</summary>
internal sealed record Samples(double[] Seconds)
{
    /// <summary>The median time.</summary>
    public double Median => Timing.Median(Seconds);

    /// <summary>The median over rounds of this round's time divided by <paramref name="other"/>'s time in the same round.</summary>
    public double RatioTo(Samples other) => Timing.Median(Seconds.Select((s, i) => s / other.Seconds[i]));

    /// <summary>The 25th and 75th percentiles of the per-round ratios to <paramref name="other"/> (their spread).</summary>
    public (double Low, double High) RatioQuartiles(Samples other)
    {
        var r = Seconds.Select((s, i) => s / other.Seconds[i]).OrderBy(x => x).ToArray();
        return (r[(int)Math.Floor(0.25 * (r.Length - 1))], r[(int)Math.Ceiling(0.75 * (r.Length - 1))]);
    }
}
