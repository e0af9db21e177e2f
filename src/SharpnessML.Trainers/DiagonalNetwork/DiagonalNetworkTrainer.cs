using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.DiagonalNetwork;

/// <summary>
/// Trains a diagonal linear network ŷ = xᵀ(u ⊙ v) as an ML.NET regression estimator:
/// <c>mlContext.Regression.Trainers.DiagonalLinearNetwork(options)</c>.
/// </summary>
public sealed class DiagonalNetworkTrainer : TorchNetworkTrainer<DiagonalNetworkOptions>
{
    /// <summary>Creates the trainer; training progress goes to <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>).</summary>
    internal DiagonalNetworkTrainer(IHostEnvironment env, DiagonalNetworkOptions options) : base(env, options, NetworkTask.Regression) { }

    /// <inheritdoc />
    private protected override NetworkSpec CreateSpec(int featureCount, int outputCount) => new DiagonalNetworkSpec(featureCount, Options.InitScale);
}
