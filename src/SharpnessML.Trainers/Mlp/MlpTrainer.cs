using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Mlp;

/// <summary>
/// Trains a multilayer perceptron with TorchSharp as an ML.NET estimator. Create it with
/// <c>mlContext.Regression.Trainers.Mlp(...)</c> or <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>.
/// </summary>
public sealed class MlpTrainer : TorchNetworkTrainer<MlpOptions>
{
    /// <summary>Creates the trainer; training progress goes to <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>) for <paramref name="task"/>.</summary>
    internal MlpTrainer(IHostEnvironment env, MlpOptions options, NetworkTask task) : base(env, options, task) { }

    /// <inheritdoc />
    private protected override bool StandardizesLabel => Options.StandardizeLabel;

    /// <inheritdoc />
    private protected override void FoldLabelScale(nn.Module<Tensor, Tensor> network, double mean, double deviation)
    {
        var output = ((MlpNetwork)network).Layers[^1];
        using var noGrad = torch.no_grad();
        output.weight!.mul_(deviation);
        output.bias!.mul_(deviation).add_(mean);
    }

    /// <inheritdoc />
    private protected override NetworkSpec CreateSpec(int featureCount, int outputCount) =>
        new MlpSpec(new[] { featureCount }.Concat(Options.HiddenLayerSizes).Append(outputCount).ToArray(), Options.Activation);
}
