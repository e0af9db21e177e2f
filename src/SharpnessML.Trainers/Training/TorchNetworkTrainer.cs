using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// The base of the mini-batch trainers (MLP, LeNet-5, vision transformer, diagonal network, TorchScript fine-tuning):
/// the network a trainer creates is moved to the device and trained by the shared <see cref="TrainingLoop"/> with the
/// options' optimizer, optionally on a standardised regression label. A concrete trainer only says which network to
/// create (<see cref="CreateNetwork"/>).
/// </summary>
/// <typeparam name="TOptions">The trainer's options class.</typeparam>
public abstract class TorchNetworkTrainer<TOptions> : TorchEstimator<TOptions>
    where TOptions : TorchTrainerOptions
{
    private protected TorchNetworkTrainer(IHostEnvironment env, TOptions options, NetworkTask task) : base(env, options, task) { }

    /// <inheritdoc />
    private protected override LossFunction? ConfiguredLoss => Options.Loss;

    /// <summary>
    /// The network to train and its spec, given the training data (on the CPU) and the output count. By default the
    /// network of <see cref="CreateSpec"/>, its weights initialised from the options' seed; a trainer that starts from
    /// an existing module (TorchScript fine-tuning) overrides this instead.
    /// </summary>
    private protected virtual (NetworkSpec Spec, nn.Module<Tensor, Tensor> Network) CreateNetwork(SupervisedTensors data, int outputCount)
    {
        var spec = CreateSpec(data.FeatureCount, outputCount);
        return (spec, TorchRuntime.Seeded(Options.Seed, spec.Build));
    }

    /// <summary>The spec of the network to train, given the data's feature width and the output count.</summary>
    private protected virtual NetworkSpec CreateSpec(int featureCount, int outputCount) =>
        throw new NotSupportedException($"{GetType().Name} creates its network without a spec.");

    /// <inheritdoc />
    private protected override TrainedNetwork TrainNetwork(TrainingRequest request)
    {
        var (spec, network) = CreateNetwork(request.Data, request.OutputCount);
        SupervisedTensors? onDevice = null, standardized = null;
        try
        {
            network.to(request.Device);
            onDevice = request.Data.To(request.Device);
            bool standardize = Task == NetworkTask.Regression && StandardizesLabel;
            var (mean, deviation) = standardize ? LabelScale(onDevice.Labels) : (0.0, 1.0);
            if (standardize)
                standardized = new SupervisedTensors(onDevice.Features.alias(), onDevice.Labels.sub(mean).div(deviation));
            using var optimizer = OptimizerFactory.Create(network.parameters(), Options.Optimizer, network);
            var summary = TrainingLoop.Train(network, standardized ?? onDevice, request.Loss, optimizer, Options, request.OnEpoch, request.Channel);
            if (standardized is not null) FoldLabelScale(network, mean, deviation);
            return new TrainedNetwork(spec, network, summary);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        finally
        {
            standardized?.Dispose();
            if (onDevice is not null && !ReferenceEquals(onDevice, request.Data)) onDevice.Dispose();
        }
    }

    /// <summary>
    /// Whether this regression trainer trains on the label standardised with the training rows' mean and standard
    /// deviation and then folds the inverse into the network (<see cref="FoldLabelScale"/>), so the model predicts the
    /// label as given. Default false.
    /// </summary>
    private protected virtual bool StandardizesLabel => false;

    /// <summary>
    /// Makes a network trained on (label − <paramref name="mean"/>) / <paramref name="deviation"/> predict the label
    /// itself, by rescaling its output layer. Called only when <see cref="StandardizesLabel"/> is true.
    /// </summary>
    private protected virtual void FoldLabelScale(nn.Module<Tensor, Tensor> network, double mean, double deviation) =>
        throw new NotSupportedException($"{GetType().Name} cannot fold a label scale into its network.");

    private static (double Mean, double Deviation) LabelScale(Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var y = labels.to(float64);
        double mean = y.mean().item<double>();
        double deviation = labels.shape[0] > 1 ? y.std(unbiased: false).item<double>() : 0;
        // A constant label has nothing to scale; 1 keeps the shift alone.
        return (mean, deviation > 0 && double.IsFinite(deviation) ? deviation : 1.0);
    }
}
