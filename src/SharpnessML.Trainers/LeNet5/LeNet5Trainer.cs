using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.LeNet5;

/// <summary>
/// Trains a LeNet-5 convolutional network on square grey-scale images (a feature vector of side²
/// values, e.g. FashionMNIST's 784) for multiclass classification with TorchSharp, as an ML.NET
/// estimator. Create it with <c>mlContext.MulticlassClassification.Trainers.LeNet5(...)</c>.
/// </summary>
public sealed class LeNet5Trainer : TorchNetworkTrainer<LeNet5Options>
{
    /// <summary>Creates the trainer; training progress goes to <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>).</summary>
    internal LeNet5Trainer(IHostEnvironment env, LeNet5Options options) : base(env, options, NetworkTask.MulticlassClassification) { }

    /// <inheritdoc />
    private protected override (NetworkSpec Spec, nn.Module<Tensor, Tensor> Network) CreateNetwork(SupervisedTensors data, int outputCount)
    {
        int side = SquareImage.Side(data.FeatureCount, Options.FeatureColumnName, "LeNet-5");
        var spec = Options.Architecture with { ImageSize = side, Classes = outputCount };
        if (spec.FinalMapSize() < 1)
            throw new ArgumentException($"LeNet-5 needs images of at least 16×16 pixels; feature column '{Options.FeatureColumnName}' holds {side}×{side}.");
        return Build(spec);
    }
}
