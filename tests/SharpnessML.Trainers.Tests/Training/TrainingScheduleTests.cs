using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using TorchSharp;

namespace SharpnessML.Trainers.Tests.Training;

/// <summary>The new schedule settings: validation split, patience, restoring the best epoch, label standardisation.</summary>
public class TrainingScheduleTests
{
    private static SupervisedTensors Regression(int n, float scale = 1, float shift = 0)
    {
        var x = torch.linspace(-2, 2, n).reshape(n, 1);
        var features = torch.cat(new[] { x, x.sin() }, 1);
        var labels = (x.squeeze(1).mul(1.5).add(x.squeeze(1).cos())).mul(scale).add(shift);
        return new SupervisedTensors(features, labels);
    }

    private static MlpTrainer Trainer(MlpOptions options) => new(new MLContext(seed: 0), options, NetworkTask.Regression);

    [Fact]
    public void TheDefaultsAreTheDocumentedOnes()
    {
        var mlp = new MlpOptions();
        Assert.Equal((OptimizerKind.Adam, 1e-3, 64, 1000, 0.0, 20, 1e-4, -1.0, true),
            (mlp.Optimizer.Kind, mlp.Optimizer.LearningRate, mlp.BatchSize, mlp.MaxEpochs, mlp.ValidationFraction, mlp.EarlyStoppingPatience,
             mlp.EarlyStoppingMinDelta, mlp.StoppingRelativeChange, mlp.StandardizeLabel));
        var lenet = new LeNet5Options();
        Assert.Equal((OptimizerKind.Adam, 1e-3, 200, 0.1, 10, true), (lenet.Optimizer.Kind, lenet.Optimizer.LearningRate, lenet.MaxEpochs,
            lenet.ValidationFraction, lenet.EarlyStoppingPatience, lenet.RestoreBestWeights));
        var paper = MlpOptions.SeedPaperAbalone();
        Assert.Equal((OptimizerKind.Sgd, 0.01, 0.0, 64, 10, 0.05, 0.0, 0, false, false, Activation.Elu),
            (paper.Optimizer.Kind, paper.Optimizer.LearningRate, paper.Optimizer.Momentum, paper.BatchSize, paper.MaxEpochs, paper.StoppingRelativeChange,
             paper.ValidationFraction, paper.EarlyStoppingPatience, paper.RestoreBestWeights, paper.StandardizeLabel, paper.Activation));
        Assert.Equal(new[] { 64, 64 }, paper.HiddenLayerSizes);
    }

    [Theory]
    [InlineData(nameof(TorchTrainerOptions.ValidationFraction), 1.0)]
    [InlineData(nameof(TorchTrainerOptions.ValidationFraction), -0.1)]
    [InlineData(nameof(TorchTrainerOptions.ValidationFraction), double.NaN)]
    [InlineData(nameof(TorchTrainerOptions.EarlyStoppingMinDelta), -1.0)]
    [InlineData(nameof(TorchTrainerOptions.EarlyStoppingMinDelta), double.NaN)]
    [InlineData(nameof(TorchTrainerOptions.EarlyStoppingMinDelta), double.PositiveInfinity)]
    public void BadScheduleSettingsAreRefusedNamingTheOption(string option, double value)
    {
        var options = new MlpOptions();
        typeof(MlpOptions).GetProperty(option)!.SetValue(options, value);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void ANegativePatienceAndAMissingOptimizerAreRefusedNamingTheOption()
    {
        var patience = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(new MlpOptions { EarlyStoppingPatience = -1 }));
        Assert.Equal(nameof(TorchTrainerOptions.EarlyStoppingPatience), patience.ParamName);
        var optimizer = Assert.Throws<ArgumentNullException>(() => Trainer(new MlpOptions { Optimizer = null! }));
        Assert.Equal(nameof(TorchTrainerOptions.Optimizer), optimizer.ParamName);
    }

    [Fact]
    public void AValidationFractionThatLeavesNoTrainingRowIsRefusedNamingTheOption()
    {
        using var data = Regression(1);
        var e = Assert.Throws<ArgumentException>(() => Trainer(new MlpOptions { ValidationFraction = 0.5 }).Fit(data, 1));
        Assert.Equal(nameof(TorchTrainerOptions.ValidationFraction), e.ParamName);
        Assert.Contains("holds out 1 of 1 rows", e.Message);
    }

    [Fact]
    public void PatienceStopsAfterThatManyEpochsWithoutImprovement()
    {
        using var data = Regression(40);
        // MinDelta 100 makes every epoch after the first "no improvement": 1 + 4 epochs.
        using var model = Trainer(new MlpOptions { HiddenLayerSizes = new[] { 4 }, EarlyStoppingPatience = 4, EarlyStoppingMinDelta = 100 }).Fit(data, 1);
        Assert.Equal(5, model.Training!.Epochs);
        Assert.Empty(model.Training.ValidationLosses);
        Assert.Null(model.Training.RestoredEpoch);
    }

    [Fact]
    public void RestoringTheBestEpochGivesExactlyTheModelTrainedToThatEpoch()
    {
        using var data = Regression(60);
        MlpOptions Options(int epochs) => new()
        {
            HiddenLayerSizes = new[] { 16 }, BatchSize = 8, MaxEpochs = epochs, ValidationFraction = 0.25, EarlyStoppingPatience = 0, Seed = 3,
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 0.05 },
        };
        using var restored = Trainer(Options(40)).Fit(data, 1);
        var summary = restored.Training!;
        Assert.Equal(40, summary.Epochs);
        Assert.Equal(40, summary.ValidationLosses.Count);
        int best = summary.ValidationLosses.Select((loss, epoch) => (loss, epoch)).MinBy(p => p.loss).epoch;
        Assert.NotEqual(39, best); // the test needs a best epoch before the last
        Assert.Equal(best, summary.RestoredEpoch);

        using var stopped = Trainer(Options(best + 1)).Fit(data, 1);
        Assert.Null(stopped.Training!.RestoredEpoch);
        Assert.Equal(summary.ValidationLosses.Take(best + 1), stopped.Training.ValidationLosses);
        for (int i = 0; i < restored.Parameters.Count; i++)
            Assert.True(TensorAssert.SameValues(restored.Parameters[i], stopped.Parameters[i]), $"parameter {i} differs from the epoch-{best + 1} model");
    }

    [Fact]
    public void WithoutRestoringTheModelKeepsTheLastEpochsWeights()
    {
        using var data = Regression(60);
        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 16 }, BatchSize = 8, MaxEpochs = 40, ValidationFraction = 0.25, EarlyStoppingPatience = 0, Seed = 3,
            RestoreBestWeights = false, Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 0.05 },
        };
        using var model = Trainer(options).Fit(data, 1);
        Assert.Null(model.Training!.RestoredEpoch);
        Assert.Equal(40, model.Training.ValidationLosses.Count);
    }

    [Fact]
    public void AStandardisedLabelIsFoldedBackSoTheModelPredictsTheLabelInItsOwnUnits()
    {
        // The same training on a label in the hundreds (standardised inside) and on that label standardised by hand.
        using var raw = Regression(50, scale: 80, shift: 300);
        double mean = raw.Labels.to(torch.float64).mean().item<double>();
        double deviation = raw.Labels.to(torch.float64).std(unbiased: false).item<double>();
        using var byHand = new SupervisedTensors(raw.Features.alias(), raw.Labels.sub(mean).div(deviation));
        MlpOptions Options(bool standardize) => new() { HiddenLayerSizes = new[] { 8 }, MaxEpochs = 5, EarlyStoppingPatience = 0, Seed = 2, StandardizeLabel = standardize };
        using var auto = Trainer(Options(true)).Fit(raw, 1);
        using var manual = Trainer(Options(false)).Fit(byHand, 1);
        Assert.Equal(manual.Training!.EpochLosses, auto.Training!.EpochLosses);
        using var scope = torch.NewDisposeScope();
        var expected = manual.Predict(raw.Features).to(torch.float64).mul(deviation).add(mean);
        var actual = auto.Predict(raw.Features).to(torch.float64);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-3), $"largest difference {(actual - expected).abs().max().item<double>()}");
    }
}
