using Spectre.Console;

namespace SharpnessML.Cli;

/// <summary>A progress display (members done, ETA, current member) that degrades to plain lines without a terminal.</summary>
internal static class Progress
{
    /// <summary>Runs <paramref name="work"/>, which reports (done, description) as it goes.</summary>
    public static T Run<T>(string title, int total, Func<Action<int, string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int first = -1;
            return work((done, what) =>
            {
                // ETA from the pace since the first report (items loaded from a store come at once and are not counted).
                if (first < 0) first = done;
                var eta = done > first && done < total
                    ? $" (ETA {FormatEta(clock.Elapsed.TotalSeconds / (done - first) * (total - done))})"
                    : "";
                Console.WriteLine($"[{done}/{total}] {what}{eta}");
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new EtaColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: total);
                var gate = new object();
                result = work((done, what) =>
                {
                    lock (gate)
                    {
                        task.Value = done;
                        task.Description = Markup.Escape($"{title} — {what}");
                    }
                });
            });
        return result;
    }

    /// <summary>A remaining time as <c>hh:mm:ss</c>, with whole days in front when there are any (<c>12d 03:04:05</c>).</summary>
    internal static string FormatEta(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "unknown";
        if (seconds >= TimeSpan.MaxValue.TotalSeconds / 2) return "centuries";
        var eta = TimeSpan.FromSeconds(Math.Round(seconds));
        var clock = $"{eta.Hours:00}:{eta.Minutes:00}:{eta.Seconds:00}";
        return eta.Days > 0 ? $"{eta.Days}d {clock}" : clock;
    }

    /// <summary>Spectre's remaining-time column, with days (its own prints hh:mm:ss and drops them).</summary>
    private sealed class EtaColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.RemainingTime is { } left ? FormatEta(left.TotalSeconds) : "--:--:--", new Style(Color.Blue));
    }
}
