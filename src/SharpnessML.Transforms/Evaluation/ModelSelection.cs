using TorchSharp;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// Ranks candidates by one measure: each is opened, its loss on the whole data and the measure are
/// computed with the same settings (the same seed, so the same batches, starting perturbations and
/// probe vectors for every candidate), and what it loaded is released before the next one. Errors
/// name the candidate; with <c>keepGoing</c> a candidate that fails on bad input (its file, its outputs, its
/// weights) is listed in <see cref="ModelSelectionResult.Failures"/> and the others are still ranked.
/// </summary>
internal static class ModelSelection
{
    public static ModelSelectionResult Rank(IReadOnlyList<(string Name, Func<OpenedLandscape> Open)> candidates, MeasureRegistry registry,
        string measure, MeasureSettings settings, bool keepGoing = false)
    {
        registry.Validate(measure);
        settings.Validate();
        if (candidates.Count == 0) throw new ArgumentException("Model selection needs at least one candidate; none was given.");
        var repeated = candidates.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) throw new ArgumentException($"Two candidates are named '{repeated.Key}'; names must be unique.");

        var rows = new List<(string Name, int Index, MeasureResult Result, double Loss)>();
        var failures = new List<FailedCandidate>();
        Exception? firstFailure = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            var (name, open) = candidates[i];
            using var scope = torch.NewDisposeScope();
            try
            {
                var opened = open();
                using var owned = opened.Owned;
                double loss = SavedModelFiles.FullLoss(opened.Landscape, opened.Loss).Value;
                rows.Add((name, i, registry.Measure(measure, opened.Landscape, settings), loss));
            }
            catch (Exception e) when ((e is ArgumentException or InvalidDataException or InvalidOperationException or IOException && e is not ObjectDisposedException)
                                      || (keepGoing && e is System.Runtime.InteropServices.ExternalException)) // libtorch's error in the candidate's own code
            {
                var named = e.Message.Contains(name, StringComparison.Ordinal) ? e : Named(e, $"Candidate '{name}': {e.Message}");
                if (!keepGoing)
                {
                    if (named == e) throw;
                    throw named;
                }
                failures.Add(new FailedCandidate(name, i, e.Message));
                firstFailure ??= named;
            }
        }
        if (rows.Count == 0) throw firstFailure!;

        // Stable sort: ties keep the given order; NaN (no value) ranks last.
        var ranked = rows.OrderBy(r => double.IsNaN(r.Result.Value) ? 1 : 0).ThenBy(r => double.IsNaN(r.Result.Value) ? 0 : r.Result.Value).ToList();
        if (double.IsNaN(ranked[0].Result.Value))
            throw new InvalidOperationException($"The measure '{measure}' gave no value (NaN) for every candidate; nothing to select.");
        return new ModelSelectionResult(measure, settings, ranked
            .Select((r, k) => new RankedCandidate(k + 1, r.Name, r.Index, r.Result.Value, r.Result.StandardError, r.Loss, r.Result)).ToList(), failures);
    }

    private static Exception Named(Exception e, string message) => e switch
    {
        ArgumentException => new ArgumentException(message, e),
        InvalidDataException => new InvalidDataException(message, e),
        IOException => new IOException(message, e),
        _ => new InvalidOperationException(message, e),
    };
}
