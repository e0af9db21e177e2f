using SharpnessML.Studies.Workloads.Notebook;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Tests.Notebook;

/// <summary>The LeNet notebook's train-mode ascent on a tiny LeNet-5 and random images.</summary>
public sealed class FashionMnistNotebookTests
{
    public FashionMnistNotebookTests() => SharpnessML.Trainers.TorchRuntime.EnsureInitialized();

    private static SupervisedTensors RandomImages(int n, int seed)
    {
        torch.manual_seed(seed);
        return new SupervisedTensors(torch.randn(n, 784), torch.randint(0, 10, new long[] { n }, dtype: int64));
    }

    private static LeNet5Network TrainedBriefly(SupervisedTensors data)
    {
        torch.manual_seed(1);
        var network = new LeNet5Network(LeNet5Spec.Reference);
        network.train();
        using var optimizer = torch.optim.SGD(network.parameters(), 0.05);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(network.call(data.Features), data.Labels).backward();
            optimizer.step();
        }

        network.eval();
        return network;
    }

    [Fact]
    public void TheTrainModeAscentMovesTheBatchNormStatisticsAndTheKeptStateHoldsThem()
    {
        using var data = RandomImages(128, 2); // two full batches of 64
        using var network = TrainedBriefly(data);
        var original = FashionMnistNotebook.StateDict(network);
        var statistics = original.Keys.Where(k => k.EndsWith("running_mean", StringComparison.Ordinal) || k.EndsWith("running_var", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, statistics.Count);
        using var shuffle = new torch.Generator(3);
        var (sharpness, kept) = FashionMnistNotebook.Ascend(network, data, shuffle, evalMode: false, boxAroundW0: false, epochs: 2, learningRate: 0.05);
        // The network is left as it was, buffers included.
        foreach (var (name, value) in network.state_dict()) Assert.True(value.equal(original[name]).all().item<bool>(), name);
        // The kept state's BatchNorm statistics drifted during the ascent.
        Assert.All(statistics, k => Assert.False(kept[k].allclose(original[k], rtol: 1e-6, atol: 1e-8), k));
        // Its loss is the sharpness above the original's, and only with its own statistics.
        double originalLoss = FashionMnistNotebook.MeanBatchLoss(network, data, null);
        FashionMnistNotebook.LoadStateDict(network, kept);
        Assert.Equal(originalLoss + sharpness, FashionMnistNotebook.MeanBatchLoss(network, data, null), 4);
        var keptParametersOriginalStatistics = kept.ToDictionary(kv => kv.Key, kv => statistics.Contains(kv.Key) ? original[kv.Key] : kv.Value);
        FashionMnistNotebook.LoadStateDict(network, keptParametersOriginalStatistics);
        Assert.NotEqual(originalLoss + sharpness, FashionMnistNotebook.MeanBatchLoss(network, data, null), 4);

        // In evaluation mode the statistics stay.
        FashionMnistNotebook.LoadStateDict(network, original);
        var (_, evalKept) = FashionMnistNotebook.Ascend(network, data, shuffle, evalMode: true, boxAroundW0: false, epochs: 2, learningRate: 0.05);
        Assert.All(statistics, k => Assert.True(evalKept[k].equal(original[k]).all().item<bool>(), k));
    }

    [Fact]
    public void TheAliasedCloneCentresTheBoxOnTheWeightsAfterTheFirstStep()
    {
        using var data = RandomImages(128, 4);
        using var network = TrainedBriefly(data);
        var w0 = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var shuffle = new torch.Generator(5);
        var (_, aliased) = FashionMnistNotebook.Ascend(network, data, shuffle, evalMode: true, boxAroundW0: false, epochs: 1, learningRate: 0.05);
        var (_, aroundW0) = FashionMnistNotebook.Ascend(network, data, shuffle, evalMode: true, boxAroundW0: true, epochs: 1, learningRate: 0.05);
        double Farthest(Dictionary<string, Tensor> state) => w0.Max(kv =>
            ((state[kv.Key] - kv.Value).abs() - kv.Value.abs() * FashionMnistNotebook.Rho).max().item<float>());
        Assert.True(Farthest(aroundW0) <= 1e-6, $"{Farthest(aroundW0)}");
        Assert.True(Farthest(aliased) > 1e-3, $"{Farthest(aliased)}"); // one unconstrained SGD step of lr 0.05
    }

    [Fact]
    public void AModelTrainsAndIsMeasuredOnTinyData()
    {
        var workload = new FashionMnistNotebook(RandomImages(192, 6), RandomImages(70, 7), maxEpochs: 2);
        using (workload)
        {
            var variant = NotebookExperiment.Protocol;
            var a = workload.Run(0, NotebookExperiment.Configuration(StudyDataset.FashionMnist, variant, 0, 0), variant);
            var again = workload.Run(0, NotebookExperiment.Configuration(StudyDataset.FashionMnist, variant, 0, 0), variant);
            Assert.Equal(a with { Seconds = 0 }, again with { Seconds = 0 });
            Assert.InRange(a.Epochs, 1, 2);
            Assert.True(double.IsFinite(a.Sharpness) && a.TestLoss > 0);
            var train = workload.Run(0, NotebookExperiment.Configuration(StudyDataset.FashionMnist, variant, 0, 0), variant with { TrainModeEveryEpoch = true, Name = "t" });
            Assert.True(double.IsFinite(train.Sharpness));
        }
    }
}
