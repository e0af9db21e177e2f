using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// The one mini-batch training loop every trainer uses: shuffle with a seeded generator, step the
/// optimizer through a closure (so two-pass optimizers such as SAM can re-evaluate the loss), and
/// stop early: by patience on a held-out validation loss (or the training loss), restoring the best
/// epoch's weights, and/or by the seed paper's relative-change rule. Each step runs in its own dispose
/// scope. Every epoch's number, training loss and validation loss go to an ML.NET channel when one is given. An optimizer that
/// regularises the loss (<see cref="ITrainingRegularizer"/>: Rényi-SAM, SAF) is told each batch's
/// example indices and sees the outputs and loss before <c>backward()</c>; the recorded step loss
/// is the plain training loss.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains <paramref name="network"/> in place on <paramref name="data"/>.</summary>
    /// <param name="network">The module; it is put in training mode and left in evaluation mode.</param>
    /// <param name="data">Features and labels, already on the network's device.</param>
    /// <param name="loss">The training loss.</param>
    /// <param name="optimizer">The optimizer over the network's parameters.</param>
    /// <param name="options">Batch size, epochs, validation fraction, stopping rules and seed.</param>
    /// <param name="onEpoch">Called after each epoch with its index and mean training loss.</param>
    /// <param name="channel">ML.NET channel that receives one message per epoch and one at the end; optional.</param>
    public static TrainingSummary Train(
        nn.Module<Tensor, Tensor> network,
        SupervisedTensors data,
        LossFunction loss,
        optim.Optimizer optimizer,
        TorchTrainerOptions options,
        Action<int, double>? onEpoch = null,
        IChannel? channel = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var generator = new torch.Generator((ulong)options.Seed);
        using var labelNoise = LabelNoise.Create(options, loss, data.Labels);
        // The validation rows are drawn first, from the same seeded generator; with ValidationFraction 0 nothing is
        // drawn, so the batch order is the one the seed paper's schedule has always had.
        var (trainData, validation) = ValidationSplit.Split(data, options.ValidationFraction, generator);
        using var stopping = new EarlyStopping(network, options.EarlyStoppingPatience, options.EarlyStoppingMinDelta,
            keepBest: validation is not null && options.RestoreBestWeights);
        var losses = new List<double>();
        var validationLosses = new List<double>();
        string stopReason = $"reached MaxEpochs ({options.MaxEpochs})";
        int? restoredEpoch = null;
        long steps = 0;
        int n = trainData.Count;
        data = trainData;
        // Rényi-SAM and SAF add their term inside the closure and need to know the batch's examples.
        var regularizer = TrainingRegularizers.Find(optimizer);
        network.train();
        try
        {
            for (int epoch = 0; epoch < options.MaxEpochs; epoch++)
            {
                double epochLoss;
                using (var epochScope = torch.NewDisposeScope())
                {
                    var order = torch.randperm(n, generator: generator, device: data.Features.device);
                    // Each step's loss is kept as a detached 0-d tensor and summed once per epoch, so the
                    // inner loop launches no extra kernels and never synchronises.
                    var stepLosses = new List<Tensor>();
                    var stepSizes = new List<double>();
                    for (int start = 0; start < n; start += options.BatchSize)
                    {
                        using var stepScope = torch.NewDisposeScope();
                        int size = Math.Min(options.BatchSize, n - start);
                        var index = order.narrow(0, start, size);
                        var x = data.Features.index_select(0, index);
                        var y = data.Labels.index_select(0, index);
                        if (labelNoise is not null) y = labelNoise.Apply(y);
                        Tensor? first = null;
                        regularizer?.BeginBatch(new TrainingBatch(index, n, epoch, loss == LossFunction.CrossEntropy, generator));
                        optimizer.step(() =>
                        {
                            optimizer.zero_grad();
                            var output = network.call(x);
                            var value = loss.Compute(output, y);
                            first ??= value.detach();
                            if (regularizer is not null) value = regularizer.Regularize(output, value);
                            value.backward();
                            return value;
                        });
                        stepLosses.Add(first!.MoveToOuterDisposeScope());
                        stepSizes.Add(size);
                        steps++;
                    }
                    var weights = torch.tensor(stepSizes.ToArray(), dtype: float64, device: data.Features.device);
                    epochLoss = torch.stack(stepLosses).to(float64).mul(weights).sum().item<double>() / n;
                }
                if (!double.IsFinite(epochLoss))
                    throw new InvalidOperationException($"Training diverged at epoch {epoch + 1}: the mean training loss is {epochLoss}. Lower the learning rate ({options.Optimizer.LearningRate}).");
                losses.Add(epochLoss);
                double validationLoss = double.NaN;
                if (validation is not null)
                {
                    validationLoss = NetworkEvaluation.Evaluate(network, validation, loss).MeanLoss;
                    if (!double.IsFinite(validationLoss))
                        throw new InvalidOperationException($"Training diverged at epoch {epoch + 1}: the validation loss is {validationLoss}. Lower the learning rate ({options.Optimizer.LearningRate}).");
                    validationLosses.Add(validationLoss);
                }
                channel?.Info(MessageSensitivity.None, validation is null
                    ? Invariant($"Epoch {epoch + 1}/{options.MaxEpochs}: training loss {epochLoss:G6}")
                    : Invariant($"Epoch {epoch + 1}/{options.MaxEpochs}: training loss {epochLoss:G6}, validation loss {validationLoss:G6}"));
                onEpoch?.Invoke(epoch, epochLoss);
                stopping.Observe(epoch, validation is null ? epochLoss : validationLoss);
                if (stopping.ShouldStop)
                {
                    stopReason = Invariant($"no improvement of the {(validation is null ? "training" : "validation")} loss by more than {options.EarlyStoppingMinDelta:G4} for {options.EarlyStoppingPatience} epochs");
                    break;
                }
                if (losses.Count >= 2 && options.StoppingRelativeChange >= 0)
                {
                    double previous = losses[^2];
                    if ((previous - epochLoss) / previous < options.StoppingRelativeChange)
                    {
                        stopReason = Invariant($"the training loss fell by less than {options.StoppingRelativeChange:P0} (StoppingRelativeChange)");
                        break;
                    }
                }
            }
            if (stopping.BestEpoch >= 0 && stopping.BestEpoch != losses.Count - 1 && stopping.RestoreBest())
                restoredEpoch = stopping.BestEpoch;
        }
        finally
        {
            network.eval();
            generator.Dispose();
            if (validation is not null)
            {
                validation.Dispose();
                trainData.Dispose();
            }
        }
        channel?.Info(MessageSensitivity.None, restoredEpoch is int best
            ? Invariant($"Stopped after {losses.Count} epochs: {stopReason}; restored the weights of epoch {best + 1} (validation loss {validationLosses[best]:G6}).")
            : Invariant($"Stopped after {losses.Count} epochs: {stopReason}."));
        return new TrainingSummary(losses.Count, steps, losses, clock.Elapsed)
        {
            ValidationLosses = validationLosses,
            RestoredEpoch = restoredEpoch,
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
