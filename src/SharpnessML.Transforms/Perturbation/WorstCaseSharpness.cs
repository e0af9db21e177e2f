using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Worst-case m-sharpness by projected gradient ascent (Foret et al. 2021; Kwon et al. 2021;
/// Andriushchenko et al. 2023): on each random batch B of m examples, ascend L_B(w+δ) over the set
/// ‖δ⊙c⁻¹‖_p ≤ ρ with steepest-ascent steps and exact projections, from random starts, and keep the
/// best iterate; report the mean over batches of max L_B(w+δ) − L_B(w). The model is measured in
/// evaluation mode and restored bit for bit afterwards.
/// </summary>
public static class WorstCaseSharpness
{
    /// <summary>Estimates the sharpness of <paramref name="landscape"/>.</summary>
    public static SharpnessMetrics Estimate(LossLandscape landscape, WorstCaseSharpnessOptions options)
    {
        options.Validate();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        var settings = new KeyValuePair<string, object>[]
        {
            new("rho", options.Rho), new("algorithm", options.Algorithm.ToString()), new("steps", options.Steps),
            new("restarts", options.Restarts), new("batch_size", options.BatchSize), new("batches", options.Batches),
        };
        var shapes = landscape.Parameters.Select(p => p.shape).ToArray();
        return RandomBatchEstimate.Run(landscape, options.MeasureName, options.Rho, options.BatchSize, options.Batches, options.Seed, settings,
            (flat, weights) => (Flat: flat, Weights: weights, Set: new PerturbationSet(weights, shapes, options.Rho, options.Norm, options.Adaptive, options.L2Geometry)),
            (state, batch, baseLoss) => RandomBatchEstimate.BestOfRestarts(options.Seed, batch.Index, options.Restarts, baseLoss,
                (starts, r) => Ascend(state.Flat, batch.Loss, state.Weights, state.Set, options, starts, r)) - baseLoss,
            release: state => state.Set.Dispose());
    }

    /// <summary>One ascent from a start point; returns the highest loss among its iterates.</summary>
    private static double Ascend(FlatParameters flat, Func<Tensor> loss, Tensor weights, PerturbationSet set,
        WorstCaseSharpnessOptions options, torch.Generator generator, int restart)
    {
        var start = options.RandomStart || restart > 0 ? set.RandomPoint(generator) : torch.zeros_like(weights);
        var ascent = new Ascent((delta, gradient) => Shifted(flat, loss, weights, delta, gradient));
        try
        {
            return options.Algorithm == AscentAlgorithm.Pga
                ? ascent.ProjectedGradient(set, start, options.Steps, options.StepSize * options.Rho)
                : ascent.AutoPgd(set, start, options.Steps, options.Rho);
        }
        finally
        {
            flat.Assign(weights);
        }
    }

    /// <summary>L(w + δ) and ∇L(w + δ) (flat, in <see cref="FlatParameters.Gradient"/>, overwritten by the next call).</summary>
    private static (double Loss, Tensor? Gradient) Shifted(FlatParameters flat, Func<Tensor> loss, Tensor weights, Tensor delta, bool gradient)
    {
        flat.AssignShifted(weights, delta);
        if (!gradient)
        {
            using (torch.no_grad()) return (loss().item<float>(), null);
        }
        var value = loss();
        double lossValue = value.item<float>();
        return (lossValue, flat.ComputeGradient(value));
    }

    /// <summary>
    /// Loss and gradient at a point of the search space on one batch, with the best value seen. The
    /// point is a flat vector: δ (loss at w + δ) for worst-case sharpness, a geodesic's initial
    /// velocity for geodesic sharpness. Iterates live in tensors of their own, freed as soon as the
    /// algorithm is done with them, so an ascent holds at most four points (current, previous,
    /// best, the step's temporaries) whatever the number of steps.
    /// </summary>
    internal sealed class Ascent
    {
        private readonly Func<Tensor, bool, (double Loss, Tensor? Gradient)> objective;

        /// <summary>
        /// Ascends <paramref name="objective"/>: (flat point, gradient wanted) → (loss, flat Euclidean gradient or
        /// null). The gradient belongs to the objective and must stay valid until its next call.
        /// </summary>
        public Ascent(Func<Tensor, bool, (double Loss, Tensor? Gradient)> objective) => this.objective = objective;

        public double Best { get; private set; } = double.NegativeInfinity;

        private (double Loss, Tensor? Gradient) Evaluate(Tensor point, bool gradient = true)
        {
            var (value, grads) = objective(point, gradient);
            Best = Math.Max(Best, value);
            return (value, grads);
        }

        /// <summary>Moves a tensor made in a step's scope out of it; the caller disposes it.</summary>
        private static Tensor Keep(Tensor t)
        {
            t.DetachFromDisposeScope();
            return t;
        }

        /// <summary>Plain PGA: δ ← Π(δ + step(∇L)).</summary>
        public double ProjectedGradient(IAscentSpace set, Tensor start, int steps, double stepLength)
        {
            Tensor delta;
            using (torch.NewDisposeScope()) delta = Keep(start.clone());
            try
            {
                for (int t = 0; t < steps; t++)
                {
                    using var scope = torch.NewDisposeScope();
                    var (_, g) = Evaluate(delta);
                    // δ + step, added as step + δ (the same sum).
                    var next = Keep(set.Project(set.AscentStep(g!, stepLength).add_(delta)));
                    delta.Dispose();
                    delta = next;
                }
                using (torch.NewDisposeScope()) Evaluate(delta, gradient: false);
                return Best;
            }
            finally
            {
                delta.Dispose();
            }
        }

        /// <summary>
        /// Auto-PGD (Croce &amp; Hein, 2020, Algorithm 1) in the set's own geometry: step η starting at
        /// 2ρ, momentum α = 0.75, and at each checkpoint w_j the step is halved (and the iterate reset
        /// to the best point) when fewer than 75% of the steps since the last checkpoint increased the
        /// loss, or when neither the step nor the best loss changed since then. The best point's gradient is
        /// kept with it, so a reset costs no evaluation (re-evaluating the same point gives the same loss and
        /// gradient, bit for bit).
        /// </summary>
        public double AutoPgd(IAscentSpace set, Tensor start, int steps, double rho)
        {
            const double momentum = 0.75, successFraction = 0.75;
            var checkpoints = Checkpoints(steps);
            double eta = 2 * rho;
            Tensor? previous = null, current = null, bestPoint = null, bestGradient = null;
            try
            {
                double lastValue;
                Tensor gradient;
                using (torch.NewDisposeScope())
                {
                    current = Keep(start.clone());
                    var (v, g) = Evaluate(current);
                    lastValue = v;
                    gradient = g!;
                    bestPoint = Keep(current.clone());
                    bestGradient = Keep(gradient.clone());
                }
                double bestValue = lastValue;
                int successes = 0, lastCheckpoint = 0;
                double etaAtLastCheckpoint = eta, bestAtLastCheckpoint = bestValue;
                for (int k = 0; k < steps; k++)
                {
                    using var scope = torch.NewDisposeScope();
                    // Π(x + step), the sum taken as step + x.
                    var z = set.Project(set.AscentStep(gradient, eta).add_(current));
                    Tensor next;
                    if (previous is null) next = z;
                    else
                    {
                        // x + α(z − x) + (1 − α)(x − x_prev), then project; each sum in the same order of operands' values.
                        var mixed = z.sub(current).mul_(momentum).add_(current).add_(current.sub(previous).mul_(1 - momentum));
                        next = set.Project(mixed);
                    }
                    var (value, g) = Evaluate(next, gradient: k + 1 < steps);
                    if (value > lastValue) successes++;
                    previous?.Dispose();
                    previous = current;
                    current = Keep(next);
                    if (g is not null) gradient = g;
                    lastValue = value;
                    if (value > bestValue)
                    {
                        bestValue = value;
                        bestPoint.copy_(current);
                        // No gradient at the last step, which is never followed by a reset.
                        if (g is not null) bestGradient.copy_(g);
                    }
                    if (checkpoints.Contains(k + 1) && k + 1 < steps)
                    {
                        int span = k + 1 - lastCheckpoint;
                        bool fewSuccesses = successes < successFraction * span;
                        bool stalled = etaAtLastCheckpoint == eta && bestAtLastCheckpoint == bestValue;
                        etaAtLastCheckpoint = eta;
                        bestAtLastCheckpoint = bestValue;
                        if (fewSuccesses || stalled)
                        {
                            eta /= 2;
                            current.copy_(bestPoint);
                            lastValue = bestValue;
                            gradient = bestGradient;
                        }
                        successes = 0;
                        lastCheckpoint = k + 1;
                    }
                }
                return Best;
            }
            finally
            {
                previous?.Dispose();
                current?.Dispose();
                bestPoint?.Dispose();
                bestGradient?.Dispose();
            }
        }

    /// <summary>Auto-PGD's checkpoints ⌈p_j · N⌉ with p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06).</summary>
        internal static HashSet<int> Checkpoints(int steps)
        {
            var result = new HashSet<int>();
            double before = 0, p = 0.22;
            while (p <= 1)
            {
                result.Add((int)Math.Ceiling(p * steps - 1e-9));
                double next = p + Math.Max(p - before - 0.03, 0.06);
                before = p;
                p = next;
            }
            return result;
        }
    }
}
