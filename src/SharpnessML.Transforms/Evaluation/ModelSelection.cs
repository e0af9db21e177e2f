using TorchSharp;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// Ranks candidates by one measure: each is opened, its loss on the whole data and the measure are
/// computed with the same settings (the same seed, so the same batches, starting perturbations and
/// probe vectors for every candidate), and what it loaded is released before the next one. Errors
/// name the candidate.
/// </summary>
internal static class ModelSelection
{
    public static ModelSelectionResult Rank(IReadOnlyList<(string Name, Func<OpenedLandscape> Open)> candidates, MeasureRegistry registry,
        string measure, MeasureSettings settings)
    {
        registry.Validate(measure);
        settings.Validate();
        if (candidates.Count == 0) throw new ArgumentException("Model selection needs at least one candidate; none was given.");
        var repeated = candidates.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) throw new ArgumentException($"Two candidates are named '{repeated.Key}'; names must be unique.");

        var rows = new List<(string Name, int Index, MeasureResult Result, double Loss)>();
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
            catch (Exception e) when ((e is ArgumentException or InvalidDataException or InvalidOperationException) && !e.Message.Contains(name, StringComparison.Ordinal))
            {
                var message = $"Candidate '{name}': {e.Message}";
                throw e switch
                {
                    ArgumentException => new ArgumentException(message, e),
                    InvalidDataException => new InvalidDataException(message, e),
                    _ => new InvalidOperationException(message, e),
                };
            }
        }

        // Stable sort: ties keep the given order; NaN (no value) ranks last.
        var ranked = rows.OrderBy(r => double.IsNaN(r.Result.Value) ? 1 : 0).ThenBy(r => double.IsNaN(r.Result.Value) ? 0 : r.Result.Value).ToList();
        if (double.IsNaN(ranked[0].Result.Value))
            throw new InvalidOperationException($"The measure '{measure}' gave no value (NaN) for every candidate; nothing to select.");
        return new ModelSelectionResult(measure, settings, ranked
            .Select((r, k) => new RankedCandidate(k + 1, r.Name, r.Index, r.Result.Value, r.Result.StandardError, r.Loss, r.Result)).ToList());
    }
}
