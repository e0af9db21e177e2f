using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Benchmarks;

/// <summary>The suite's models and data: the Abalone FCNN (10-64-64-1, ELU) and LeNet-5 on 28×28 inputs.</summary>
internal static class Data
{
    /// <summary>Abalone's training split, features scaled as in the studies.</summary>
    public static SupervisedTensors Abalone()
    {
        var ml = new MLContext(seed: 0);
        var split = AbaloneDataset.Split(ml, AbaloneDataset.Load(ml));
        var train = AbaloneDataset.FeaturePipeline(ml).Fit(split.TrainSet).Transform(split.TrainSet);
        return SupervisedTensors.FromDataView(train, AbaloneDataset.FeaturesColumn, AbaloneDataset.LabelColumn, NetworkTask.Regression);
    }

    /// <summary>
    /// <paramref name="count"/> FashionMNIST training images when Debian's dataset-fashion-mnist is
    /// installed, else random 28×28 images with random labels (the same cost per step).
    /// </summary>
    public static SupervisedTensors Images(int count)
    {
        if (FashionMnistDataset.IsAvailable())
        {
            var ml = new MLContext(seed: 0);
            var data = FashionMnistDataset.Load(ml, FashionMnistSplit.Train, maxExamples: count);
            return SupervisedTensors.FromDataView(data, ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
        }
        var generator = new torch.Generator(0);
        return new SupervisedTensors(torch.rand(new long[] { count, 28 * 28 }, generator: generator),
            torch.randint(0, 10, new long[] { count }, dtype: int64, generator: generator));
    }

    /// <summary>The FCNN of the Abalone rows.</summary>
    public static nn.Module<Tensor, Tensor> Fcnn(int seed) =>
        TorchRuntime.Seeded(seed, () => new MlpSpec(new[] { 10, 64, 64, 1 }, Activation.Elu).Build());

    /// <summary>The seed paper's LeNet-5.</summary>
    public static nn.Module<Tensor, Tensor> LeNet(int seed) => TorchRuntime.Seeded(seed, () => LeNet5Spec.Reference.Build());
}
