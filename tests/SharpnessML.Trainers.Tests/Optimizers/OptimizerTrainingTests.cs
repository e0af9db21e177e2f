using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Optimizers;

public class OptimizerTrainingTests
{
    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, 256).Select(i =>
    {
        float a = (float)Math.Sin(i * 0.37), b = (float)Math.Cos(i * 0.11);
        return new Row { Features = new[] { a, b }, Label = (float)(Math.Sin(2 * a) + 0.5 * b) };
    }));

    private static (IReadOnlyList<Tensor> Parameters, IReadOnlyList<double> Losses) Train(Action<MlpOptions> configure, int seed = 4)
    {
        var ml = new MLContext(seed: 1);
        var options = new MlpOptions
        {
            Seed = seed, MaxEpochs = 3, HiddenLayerSizes = new[] { 16 }, StoppingRelativeChange = -1, BatchSize = 32,
            Optimizer = OptimizerOptions.SeedPaperSgd(), ValidationFraction = 0, EarlyStoppingPatience = 0, StandardizeLabel = false,
        };
        configure(options);
        var network = ml.Regression.Trainers.Mlp(options).Fit(Data(ml)).GetNetwork();
        return (network.Parameters, network.Training!.EpochLosses);
    }

    private static bool Same(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) =>
        a.Count == b.Count && a.Zip(b).All(p => TensorAssert.SameValues(p.First, p.Second));

    [Theory]
    [InlineData(OptimizerKind.AdamW, SharpnessAwareKind.Sam)]
    [InlineData(OptimizerKind.RmsProp, SharpnessAwareKind.Asam)]
    [InlineData(OptimizerKind.AdamMini, SharpnessAwareKind.None)]
    [InlineData(OptimizerKind.Sgd, SharpnessAwareKind.Asam)]
    [InlineData(OptimizerKind.Adam, SharpnessAwareKind.Gsam)]
    public void TheMlpTrainerTrainsDeterministicallyWithEachOptimizer(OptimizerKind kind, SharpnessAwareKind sharpnessAware)
    {
        void Configure(MlpOptions o)
        {
            o.Optimizer.Kind = kind;
            o.Optimizer.SharpnessAware = sharpnessAware;
            o.Optimizer.LearningRate = kind == OptimizerKind.Sgd ? 0.1 : 0.01;
            o.Optimizer.GradientClipNorm = 5;
        }
        var a = Train(Configure);
        var b = Train(Configure);
        Assert.True(Same(a.Parameters, b.Parameters));
        Assert.Equal(a.Losses, b.Losses);
        Assert.True(a.Losses[^1] < a.Losses[0], $"loss did not fall: {string.Join(", ", a.Losses)}");
        Assert.False(Same(a.Parameters, Train(Configure, seed: 5).Parameters));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, SharpnessAwareKind.RenyiSam)]
    [InlineData(OptimizerKind.Adam, SharpnessAwareKind.Saf)]
    public void TheRegularisingMethodsTrainDeterministicallyAndChangeTheTrajectory(OptimizerKind kind, SharpnessAwareKind sharpnessAware)
    {
        void Configure(MlpOptions o, SharpnessAwareKind method)
        {
            o.MaxEpochs = 4;
            o.Optimizer.Kind = kind;
            o.Optimizer.SharpnessAware = method;
            o.Optimizer.LearningRate = kind == OptimizerKind.Sgd ? 0.1 : 0.01;
            o.Optimizer.GradientClipNorm = 5;
            o.Optimizer.RenyiSamLambda = 0.05;
            o.Optimizer.SafEpochsBack = 1; // the trajectory loss acts from epoch 1 of 4
            o.Optimizer.SafStartEpoch = 1;
            o.Optimizer.SafLambda = 1;
        }
        var a = Train(o => Configure(o, sharpnessAware));
        var b = Train(o => Configure(o, sharpnessAware));
        Assert.True(Same(a.Parameters, b.Parameters));
        Assert.Equal(a.Losses, b.Losses);
        Assert.True(a.Losses[^1] < 0.8 * a.Losses[0], $"loss did not fall: {string.Join(", ", a.Losses)}");
        var plain = Train(o => Configure(o, SharpnessAwareKind.None));
        Assert.False(Same(a.Parameters, plain.Parameters));
        // SAF's first epoch is the base optimizer's, on the same batches: the recorded (plain) epoch losses agree.
        if (sharpnessAware == SharpnessAwareKind.Saf) Assert.Equal(plain.Losses[0], a.Losses[0]);
    }

    [Fact]
    public void RegressionLabelNoiseIsSeededAndChangesTraining()
    {
        var clean = Train(o => o.Optimizer.LearningRate = 0.1);
        var noisy = Train(o => { o.Optimizer.LearningRate = 0.1; o.LabelNoiseStandardDeviation = 0.5; });
        var again = Train(o => { o.Optimizer.LearningRate = 0.1; o.LabelNoiseStandardDeviation = 0.5; });
        Assert.True(Same(noisy.Parameters, again.Parameters));
        Assert.False(Same(clean.Parameters, noisy.Parameters));
        // The noisy targets carry about σ² = 0.25 of extra squared error.
        Assert.True(noisy.Losses[^1] > clean.Losses[^1] + 0.1, $"{noisy.Losses[^1]} vs {clean.Losses[^1]}");
    }

    private sealed class ClassRow
    {
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public string Label { get; set; } = "";
    }

    private static IReadOnlyList<Tensor> TrainClassifier(double flipProbability) => TrainClassifier(flipProbability, o => o.Optimizer.SharpnessAware = SharpnessAwareKind.Sam).Parameters;

    private static (IReadOnlyList<Tensor> Parameters, IReadOnlyList<double> Losses) TrainClassifier(double flipProbability, Action<MlpOptions> configure)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(i => 2 * Math.PI * i / 300).Select(t => new ClassRow
        {
            Features = new[] { (float)Math.Cos(t), (float)Math.Sin(t) },
            Label = ((int)(3 * t / (2 * Math.PI))).ToString(),
        }));
        var options = new MlpOptions
        {
            Seed = 2, MaxEpochs = 2, HiddenLayerSizes = new[] { 8 }, LabelFlipProbability = flipProbability,
            Optimizer = OptimizerOptions.SeedPaperSgd(), StoppingRelativeChange = 0.05, ValidationFraction = 0, EarlyStoppingPatience = 0,
        };
        configure(options);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp(options));
        var network = pipeline.Fit(data).GetNetwork();
        return (network.Parameters, network.Training!.EpochLosses);
    }

    [Fact]
    public void SafTrainsAClassifierWithTheKlTrajectoryLoss()
    {
        static void Configure(MlpOptions o, SharpnessAwareKind method)
        {
            o.MaxEpochs = 5;
            o.StoppingRelativeChange = -1;
            o.Optimizer.Kind = OptimizerKind.Adam;
            o.Optimizer.LearningRate = 0.05;
            o.Optimizer.SharpnessAware = method;
            o.Optimizer.SafEpochsBack = 1;
            o.Optimizer.SafStartEpoch = 2;
        }
        var saf = TrainClassifier(0, o => Configure(o, SharpnessAwareKind.Saf));
        var plain = TrainClassifier(0, o => Configure(o, SharpnessAwareKind.None));
        Assert.True(saf.Losses[^1] < 0.8 * saf.Losses[0], $"loss did not fall: {string.Join(", ", saf.Losses)}");
        // Identical until the trajectory loss starts at epoch 2, different after.
        Assert.Equal(plain.Losses.Take(2), saf.Losses.Take(2));
        Assert.NotEqual(plain.Losses[4], saf.Losses[4]);
        Assert.True(Same(saf.Parameters, TrainClassifier(0, o => Configure(o, SharpnessAwareKind.Saf)).Parameters));
    }

    [Fact]
    public void ClassificationLabelFlipsAreSeededAndChangeTraining()
    {
        var noisy = TrainClassifier(0.3);
        Assert.True(Same(noisy, TrainClassifier(0.3)));
        Assert.False(Same(noisy, TrainClassifier(0)));
    }

    [Fact]
    public void GaussianLabelNoiseHasTheRequestedSpreadAndIsFreshEachStep()
    {
        using var labels = torch.zeros(20000, float32);
        using var noise = LabelNoise.Create(new TorchTrainerOptions { LabelNoiseStandardDeviation = 0.3 }, LossFunction.MeanSquaredError, labels)!;
        using var first = noise.Apply(labels);
        using var second = noise.Apply(labels);
        Assert.Equal(0.3, first.std().item<float>(), 2);
        Assert.Equal(0.0, first.mean().item<float>(), 2);
        Assert.False(TensorAssert.SameValues(first, second));
        Assert.Null(LabelNoise.Create(new TorchTrainerOptions(), LossFunction.MeanSquaredError, labels));
    }

    [Fact]
    public void LabelFlipsHappenWithTheRequestedProbabilityAndAlwaysChangeTheClass()
    {
        using var labels = torch.arange(0, 20000, dtype: int64).remainder(3L);
        using var noise = LabelNoise.Create(new TorchTrainerOptions { LabelFlipProbability = 0.2, Seed = 7 }, LossFunction.CrossEntropy, labels)!;
        using var noisy = noise.Apply(labels);
        var original = labels.data<long>().ToArray();
        var flipped = noisy.data<long>().ToArray();
        Assert.All(flipped, c => Assert.InRange(c, 0, 2));
        double rate = original.Zip(flipped).Count(p => p.First != p.Second) / (double)original.Length;
        Assert.Equal(0.2, rate, 1);
        Assert.InRange(rate, 0.18, 0.22);
        using var repeat = LabelNoise.Create(new TorchTrainerOptions { LabelFlipProbability = 0.2, Seed = 7 }, LossFunction.CrossEntropy, labels)!;
        Assert.True(TensorAssert.SameValues(noisy, repeat.Apply(labels)));
    }
}
