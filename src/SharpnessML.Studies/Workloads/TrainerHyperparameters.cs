using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// Applies a member's grid point to trainer and optimizer options; values not on the grid keep the options' values (the
/// workloads start from the seed paper's presets, <c>MlpOptions.SeedPaperAbalone()</c> and
/// <c>LeNet5Options.SeedPaperFashionMnist()</c>).
/// </summary>
internal static class TrainerHyperparameters
{
    public static void Apply(TorchTrainerOptions options, MemberConfiguration member, StudyDefinition study, NetworkTask task)
    {
        options.Seed = member.Seed;
        options.BatchSize = member.Int(HyperparameterAxes.BatchSize, options.BatchSize);
        options.MaxEpochs = member.Int(HyperparameterAxes.Epochs, study.MaxEpochs ?? options.MaxEpochs);
        if (task == NetworkTask.Regression)
            options.LabelNoiseStandardDeviation = member.Double(HyperparameterAxes.LabelNoise, options.LabelNoiseStandardDeviation);
        else
            options.LabelFlipProbability = member.Double(HyperparameterAxes.LabelNoise, options.LabelFlipProbability);
        Apply(options.Optimizer, member);
    }

    public static void Apply(OptimizerOptions optimizer, MemberConfiguration member)
    {
        if (member.Text(HyperparameterAxes.Optimizer) is { } kind && StudyDefinition.TryParseOptimizer(kind, out var parsed)) optimizer.Kind = parsed;
        if (member.Text(HyperparameterAxes.SharpnessAware) is { } wrapper && StudyDefinition.TryParseSharpnessAware(wrapper, out var aware))
            optimizer.SharpnessAware = aware;
        optimizer.LearningRate = member.Double(HyperparameterAxes.LearningRate, optimizer.LearningRate);
        optimizer.Momentum = member.Double(HyperparameterAxes.Momentum, optimizer.Momentum);
        optimizer.WeightDecay = member.Double(HyperparameterAxes.WeightDecay, optimizer.WeightDecay);
        if (member.Text(HyperparameterAxes.SamRho) != null) optimizer.Rho = member.Double(HyperparameterAxes.SamRho, 0);
    }
}
