using System.Diagnostics;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// What every batch-averaged sharpness estimate shares (worst-case, average-case and geodesic): the model's
/// state captured and restored bit for bit, one dispose scope for the whole estimate and one per batch, the
/// unperturbed weights w, one seeded generator drawing the random batches of m examples (and whatever else the
/// measure draws from it), the base loss L_B(w) of each batch, and the mean of the batches' values with its
/// standard error (<see cref="SharpnessMetrics"/>).
/// </summary>
internal static class RandomBatchEstimate
{
    /// <summary>
    /// One random batch: its index, its examples (int64 indices), the estimate's generator, and the loss on the
    /// batch at the current parameters (<see cref="LossLandscape.BatchLoss"/>: the batch is selected once).
    /// </summary>
    internal readonly record struct Batch(int Index, Tensor Examples, torch.Generator Generator, Func<Tensor> Loss);

    /// <summary>Runs the estimate.</summary>
    /// <param name="landscape">The landscape, with the parameters to perturb.</param>
    /// <param name="measure">The metrics' measure name.</param>
    /// <param name="rho">The radius, for the metrics.</param>
    /// <param name="batchSize">m: examples per batch.</param>
    /// <param name="batches">Number of batches.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="settings">The estimator's settings, for <see cref="SharpnessMetrics.Settings"/>.</param>
    /// <param name="prepare">
    /// Builds the measure's state (its perturbation set) from the parameters held flat for the estimate
    /// (<see cref="FlatParameters"/>) and w as a flat vector, in the estimate's scope.
    /// </param>
    /// <param name="measureBatch">
    /// The batch's value from the state, the batch and its base loss; called with the parameters at w, and must
    /// leave them there.
    /// </param>
    /// <param name="baseLoss">Reads a loss tensor as a number (default: its float value).</param>
    /// <param name="release">Frees what <paramref name="prepare"/> moved out of the scope, if anything.</param>
    public static SharpnessMetrics Run<TState>(LossLandscape landscape, string measure, double rho, int batchSize, int batches, int seed,
        IReadOnlyList<KeyValuePair<string, object>> settings, Func<FlatParameters, Tensor, TState> prepare,
        Func<TState, Batch, double, double> measureBatch, Func<Tensor, double>? baseLoss = null, Action<TState>? release = null)
    {
        baseLoss ??= loss => loss.item<float>();
        var clock = Stopwatch.StartNew();
        var values = new List<double>(batches);
        var baseLosses = new List<double>(batches);
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var outer = torch.NewDisposeScope();
        using var flat = new FlatParameters(landscape.Parameters);
        var weights = flat.Values.clone();
        var state = prepare(flat, weights);
        using var generator = new torch.Generator((ulong)seed);
        try
        {
            for (int b = 0; b < batches; b++)
            {
                using var batchScope = torch.NewDisposeScope();
                var examples = landscape.SampleBatch(batchSize, generator);
                var loss = landscape.BatchLoss(examples);
                flat.Assign(weights);
                double unperturbed;
                using (torch.no_grad()) unperturbed = baseLoss(loss());
                double value = measureBatch(state, new Batch(b, examples, generator, loss), unperturbed);
                baseLosses.Add(unperturbed);
                values.Add(value);
            }
            flat.Assign(weights);
        }
        finally
        {
            release?.Invoke(state);
        }
        return new SharpnessMetrics(measure, rho, values, baseLosses, clock.Elapsed, settings);
    }

    /// <summary>
    /// The best of <paramref name="restarts"/> ascents on batch <paramref name="batch"/>, never below
    /// <paramref name="baseLoss"/>. Random starts come from a generator of their own per batch, so batch b sees
    /// the same batch and the same first starts whatever the number of restarts: more restarts can only raise
    /// the estimate.
    /// </summary>
    /// <param name="seed">The estimate's seed.</param>
    /// <param name="batch">The batch's index.</param>
    /// <param name="restarts">Ascents to run.</param>
    /// <param name="baseLoss">L_B(w).</param>
    /// <param name="ascend">One ascent from the starts' generator and the restart's index; returns its highest loss.</param>
    public static double BestOfRestarts(int seed, int batch, int restarts, double baseLoss, Func<torch.Generator, int, double> ascend)
    {
        double best = baseLoss;
        using var starts = new torch.Generator(StartSeed(seed, batch));
        for (int r = 0; r < restarts; r++) best = Math.Max(best, ascend(starts, r));
        return best;
    }

    /// <summary>The seed of batch <paramref name="batch"/>'s random starts.</summary>
    internal static ulong StartSeed(int seed, int batch) => unchecked((ulong)seed * 1_000_003UL + (ulong)batch * 7_919UL + 12_345UL);
}
