using SharpnessML.Studies.Workloads.Notebook;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Tests.Notebook;

/// <summary>The GAT notebook's epoch of three padded masks and its sharpness, on Cora.</summary>
public sealed class CoraNotebookTests
{
    public CoraNotebookTests() => SharpnessML.Trainers.TorchRuntime.EnsureInitialized();

    [Fact]
    public void TheTrainingNodesArePaddedTo192AndCutIntoThreeMasksOf64And64And12()
    {
        var nodes = Enumerable.Range(0, 140).Select(i => (long)(3 * i + 1)).ToArray();
        var masks = CoraNotebook.BatchMasks(nodes, new NumpyRandomState(4));
        Assert.Equal(new[] { 64, 64, 12 }, masks.Select(m => m.Length));
        Assert.Equal(nodes, masks.SelectMany(m => m).Order());
        // The shuffle is the generator's: the same seed gives the same masks, another seed others.
        Assert.Equal(masks, CoraNotebook.BatchMasks(nodes, new NumpyRandomState(4)));
        Assert.NotEqual(masks[0], CoraNotebook.BatchMasks(nodes, new NumpyRandomState(5))[0]);
        var mask = CoraNotebook.RandomMask(nodes, new NumpyRandomState(4));
        Assert.InRange(mask.Length, 30, 63); // 64 draws with replacement from 140: about 51 distinct
        Assert.All(mask, n => Assert.Contains(n, nodes));
    }

    [Fact]
    public void AnEpochIsThreeSgdStepsEachOnOneMasksCrossEntropy()
    {
        using var cora = new CoraNotebook(null);
        Assert.Equal(140, cora.TrainNodes.Count);
        Assert.Equal(1f, cora.Graph.Features.max().item<float>()); // the raw 0/1 words, as dataset.data.x
        torch.manual_seed(3);
        using var network = new NotebookGat(cora.Graph.FeatureCount, 8, cora.Graph.ClassCount, dropout: 0);
        torch.manual_seed(3);
        using var reference = new NotebookGat(cora.Graph.FeatureCount, 8, cora.Graph.ClassCount, dropout: 0);
        using var optimizer = torch.optim.SGD(network.parameters(), 0.236);
        double sum = CoraNotebook.Epoch(network, cora.Graph, cora.TrainNodes, new NumpyRandomState(9), optimizer);

        var parameters = reference.parameters().ToList();
        double expected = 0;
        foreach (var mask in CoraNotebook.BatchMasks(cora.TrainNodes, new NumpyRandomState(9)))
        {
            using var scope = torch.NewDisposeScope();
            var nodes = torch.tensor(mask);
            var loss = nn.functional.cross_entropy(reference.call(cora.Graph.Features, cora.Graph.EdgeIndex).index_select(0, nodes), cora.Graph.Labels.index_select(0, nodes));
            expected += loss.item<float>();
            var gradients = torch.autograd.grad(new[] { loss }, parameters.Cast<Tensor>().ToList());
            using var _ = torch.no_grad();
            for (int i = 0; i < parameters.Count; i++) parameters[i].sub_(gradients[i] * 0.236);
        }

        Assert.Equal(expected, sum, 5);
        Assert.InRange(sum, 3 * 1.5, 3 * 2.5); // three mean losses near ln 7 each, not one
        foreach (var (a, b) in network.parameters().Zip(reference.parameters())) Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-6));
        // Without an optimizer nothing moves.
        var before = network.parameters().Select(p => p.detach().clone()).ToList();
        CoraNotebook.Epoch(network, cora.Graph, cora.TrainNodes, new NumpyRandomState(9), null);
        Assert.All(network.parameters().Zip(before), p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
    }

    [Fact]
    public void AModelsNumbersDependOnItsSeedAlone()
    {
        using var cora = new CoraNotebook(null, maxEpochs: 2);
        var variant = NotebookExperiment.Protocol;
        var a = cora.Run(0, NotebookExperiment.Configuration(StudyDataset.Cora, variant, 7, 0), variant);
        cora.Run(1, NotebookExperiment.Configuration(StudyDataset.Cora, variant, 7, 1), variant);
        var again = cora.Run(0, NotebookExperiment.Configuration(StudyDataset.Cora, variant, 7, 0), variant);
        Assert.Equal(a with { Seconds = 0 }, again with { Seconds = 0 });
        Assert.Equal(2, a.Epochs);
        Assert.True(double.IsFinite(a.Sharpness));
    }
}
