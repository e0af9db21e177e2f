using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;

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
    private protected override NetworkSpec CreateSpec(int featureCount, int outputCount)
    {
        int side = Data.SquareImage.Side(featureCount, Options.FeatureColumnName, "LeNet-5");
        var spec = Options.Architecture with { ImageSize = side, Classes = outputCount };
        if (spec.FinalMapSize() < 1)
            throw new ArgumentException($"LeNet-5 needs images of at least 16×16 pixels; feature column '{Options.FeatureColumnName}' holds {side}×{side}.");
        return spec;
    }
}
