using System.Globalization;
using System.Text;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// The outcome of model selection: every candidate ranked by one measure, flattest (lowest value)
/// first, and the selected (flattest) one.
/// </summary>
public sealed class ModelSelectionResult
{
    internal ModelSelectionResult(string measure, MeasureSettings settings, IReadOnlyList<RankedCandidate> ranking, IReadOnlyList<FailedCandidate>? failures = null)
    {
        Measure = measure;
        Settings = settings;
        Ranking = ranking;
        Failures = failures ?? Array.Empty<FailedCandidate>();
    }

    /// <summary>The measure the candidates were ranked by.</summary>
    public string Measure { get; }

    /// <summary>The settings every candidate was measured with (the same seed for all).</summary>
    public MeasureSettings Settings { get; }

    /// <summary>All candidates, flattest first; a NaN value ranks last.</summary>
    public IReadOnlyList<RankedCandidate> Ranking { get; }

    /// <summary>
    /// Candidates that could not be measured (a bad file, outputs or weights), in the order given, when selection was
    /// asked to go on past them (the CLI's <c>select</c>); empty otherwise, where the first failure is thrown.
    /// </summary>
    public IReadOnlyList<FailedCandidate> Failures { get; }

    /// <summary>The flattest candidate: the one with the lowest value.</summary>
    public RankedCandidate Selected => Ranking[0];

    /// <summary>The ranking as a plain-text table followed by the selected candidate.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        int width = Math.Max("model".Length, Ranking.Select(r => r.Name).Concat(Failures.Select(f => f.Name)).Max(n => n.Length));
        var text = new StringBuilder();
        text.AppendLine(inv, $"{"rank",4}  {"model".PadRight(width)}  {Measure,14}  {"± stderr",10}  {"loss",12}");
        foreach (var r in Ranking)
            text.AppendLine(inv, $"{r.Rank,4}  {r.Name.PadRight(width)}  {r.Value.ToString("G6", inv),14}  {r.StandardError?.ToString("G3", inv) ?? "",10}  {r.Loss.ToString("G6", inv),12}");
        foreach (var f in Failures) text.AppendLine(inv, $"{"-",4}  {f.Name.PadRight(width)}  failed: {f.Error}");
        text.Append(inv, $"selected: {Selected.Name} ({Measure} = {Selected.Value.ToString("G6", inv)})");
        return text.ToString();
    }
}
