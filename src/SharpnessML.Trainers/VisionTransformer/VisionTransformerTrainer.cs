using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.VisionTransformer;

/// <summary>
/// Trains a small vision transformer on square grey-scale images for multiclass classification, as
/// an ML.NET estimator: <c>mlContext.MulticlassClassification.Trainers.VisionTransformer(options)</c>.
/// </summary>
public sealed class VisionTransformerTrainer : TorchNetworkTrainer<VisionTransformerOptions>
{
    /// <summary>Creates the trainer; training progress goes to <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>).</summary>
    internal VisionTransformerTrainer(IHostEnvironment env, VisionTransformerOptions options) : base(env, options, NetworkTask.MulticlassClassification) { }

    /// <inheritdoc />
    private protected override NetworkSpec CreateSpec(int featureCount, int outputCount)
    {
        int side = Data.SquareImage.Side(featureCount, Options.FeatureColumnName, "The vision transformer");
        var spec = Options.Architecture with { ImageSize = side, Classes = outputCount };
        spec.Validate();
        return spec;
    }
}
