using SharpnessML.Studies.Workloads.Notebook;
using SharpnessML.TestKit;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Tests.Notebook;

/// <summary>The Abalone notebook protocol's quirks, pinned on tiny models, and the notebook's own numbers for seed 0.</summary>
public sealed class AbaloneNotebookTests
{
    public AbaloneNotebookTests() => SharpnessML.Trainers.TorchRuntime.EnsureInitialized();

    [Fact]
    public void TheSplitPermutationIsNumpysRandomState42()
    {
        // /usr/bin/python3 -c "import numpy as np; p = np.random.RandomState(42).permutation(4176); print(p[:10], p[-5:])"
        var p = new NumpyRandomState(42).Permutation(4176);
        Assert.Equal(new[] { 866, 1483, 599, 1702, 670, 2430, 1590, 949, 4025, 3668 }, p.Take(10));
        Assert.Equal(new[] { 3444, 466, 3092, 3772, 860 }, p.Skip(4171));
        Assert.Equal(1608637542u, new NumpyRandomState(42).NextUInt32());
    }

    [Fact]
    public void TheClampWithoutAbsPinsNegativeWeightsToW0TimesOnePlusEpsilon()
    {
        using var scope = torch.NewDisposeScope();
        var center = torch.tensor(new[] { -2f, -1f, 0.5f, 1f, 0f });
        var perturbed = new[] { -1.9f, -2.2f, 0.52f, 0.9f, 0.01f };
        var notebook = new Parameter(torch.tensor(perturbed));
        NotebookClamp.Project(new[] { notebook }, new[] { center }, 0.025, withAbs: false);
        // Negative w0: the lower bound w0(1 − ε) exceeds the upper w0(1 + ε), and clamp returns the upper bound.
        AssertClose(new[] { -2.05f, -1.025f, 0.5125f, 0.975f, 0f }, notebook);
        var withAbs = new Parameter(torch.tensor(perturbed));
        NotebookClamp.Project(new[] { withAbs }, new[] { center }, 0.025, withAbs: true);
        AssertClose(new[] { -1.95f, -1.025f, 0.5125f, 0.975f, 0f }, withAbs);
    }

    [Fact]
    public void AFullBatchTrainingStepIsAGradientStepOnTheWholeTrainingSet()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var x = torch.randn(10, 3);
        var y = torch.randn(10, 1);
        const double lr = 0.1;
        torch.manual_seed(7);
        using var network = new NotebookFcnn(new[] { 3, 4, 1 });
        torch.manual_seed(7);
        using var reference = new NotebookFcnn(new[] { 3, 4, 1 });
        torch.manual_seed(7);
        using var miniBatch = new NotebookFcnn(new[] { 3, 4, 1 });
        using var shuffle = new torch.Generator(1);
        int passes = AbaloneNotebook.Train(network, x, y, lr, batchSize: 4, fullBatch: true, shuffle);
        Assert.InRange(passes, 2, AbaloneNotebook.MaxEpochs + 2);
        // ⌈10 / 4⌉ = 3 steps a pass, each w ← w − lr ∇ MSE(all 10 rows)
        var parameters = reference.parameters().ToList();
        for (int step = 0; step < 3 * passes; step++)
        {
            using var inner = torch.NewDisposeScope();
            var gradients = torch.autograd.grad(new[] { nn.functional.mse_loss(reference.call(x), y) }, parameters.Cast<Tensor>().ToList());
            using var _ = torch.no_grad();
            for (int i = 0; i < parameters.Count; i++) parameters[i].sub_(gradients[i] * lr);
        }

        foreach (var (a, b) in network.parameters().Zip(reference.parameters())) Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        using var shuffle2 = new torch.Generator(1);
        AbaloneNotebook.Train(miniBatch, x, y, lr, batchSize: 4, fullBatch: false, shuffle2);
        Assert.False(miniBatch.parameters().Zip(reference.parameters()).All(p => p.First.allclose(p.Second, rtol: 1e-5, atol: 1e-6)));
    }

    [Fact]
    public void TheNotebookFcnnIsInitialisedAsPyTorchsForTheSeed()
    {
        // /usr/bin/python3: torch.manual_seed(0); [nn.Linear(10,64), nn.Linear(64,64), nn.Linear(64,1)]; sum of each parameter
        torch.manual_seed(0);
        using var network = new NotebookFcnn(new[] { 10, 64, 64, 1 });
        var sums = network.parameters().Select(p => p.to(float64).sum().item<double>()).ToArray();
        var expected = new[] { -1.8442135, 0.8144644, -5.3197598, 0.1606272, -1.0099478, 0.0425759 };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], sums[i], 5);
    }

    [Fact]
    public void SeedZeroGivesTheNotebooksNumbers()
    {
        // fcnn_notebook_reference.py (PyTorch 1.13): seed 0: passes 3, train 0.4727413, test 0.4719712, sharpness 0.0529916.
        // The two libtorch versions sum in different orders; 159 SGD steps at lr 0.102 grow the float32 differences to ~1e-5.
        using var workload = new AbaloneNotebook(RepositoryPaths.Data("abalone", "abalone.data"));
        Assert.Equal(3340, workload.TrainFeatures.shape[0]);
        Assert.Equal(836, workload.TestFeatures.shape[0]);
        var member = workload.Run(0, NotebookExperiment.Configuration(StudyDataset.Abalone, NotebookExperiment.Protocol, 0, 0), NotebookExperiment.Protocol);
        Assert.Equal(3, member.Epochs);
        Assert.Equal(0.4727413, member.TrainLoss, 4);
        Assert.Equal(0.4719712, member.TestLoss, 4);
        Assert.Equal(0.0529916, member.Sharpness, 3);
    }

    [Fact]
    public void TheFirstModelsOfAPoolAreTheSameWhateverThePoolSize()
    {
        var path = SmallAbalone();
        try
        {
            var small = new NotebookSettings { Dataset = StudyDataset.Abalone, DataPath = path, Models = 3, BaseSeed = 11 };
            var large = new NotebookSettings { Dataset = StudyDataset.Abalone, DataPath = path, Models = 5, BaseSeed = 11 };
            var a = NotebookExperiment.Run(small, new[] { NotebookExperiment.Protocol })[0].Pools[0].Members;
            var b = NotebookExperiment.Run(large, new[] { NotebookExperiment.Protocol })[0].Pools[0].Members;
            Assert.Equal(5, b.Count);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(11 + i, a[i].Seed);
                Assert.Equal(a[i] with { Seconds = 0 }, b[i] with { Seconds = 0 });
            }

            Assert.NotEqual(b[0].Sharpness, b[1].Sharpness);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryAblationRowRunsOnASmallPool()
    {
        var path = SmallAbalone();
        try
        {
            var settings = new NotebookSettings { Dataset = StudyDataset.Abalone, DataPath = path, Models = 3, Pools = 2 };
            var rows = NotebookExperiment.Run(settings, NotebookExperiment.Ablation(StudyDataset.Abalone));
            Assert.Equal(NotebookExperiment.Ablation(StudyDataset.Abalone).Count, rows.Count);
            Assert.All(rows, r => Assert.All(r.Pools, p => Assert.All(p.Members, m => Assert.True(double.IsFinite(m.Sharpness) && m.TestLoss > 0))));
            Assert.Equal(1000, rows[0].Pools[1].Members[0].Seed);
            // The clamp with |w| changes the box of every negative weight, so the sharpness of the same model changes.
            var clampAbs = rows.Single(r => r.Variant.ClampWithAbs);
            Assert.NotEqual(rows[0].Pools[0].Members[0].Sharpness, clampAbs.Pools[0].Members[0].Sharpness);
            Assert.Equal(rows[0].Pools[0].Members[0].TestLoss, clampAbs.Pools[0].Members[0].TestLoss);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The first 201 lines of the bundled file (200 rows once the header row is dropped: 160 / 40).</summary>
    private static string SmallAbalone()
    {
        var path = Path.Combine(Path.GetTempPath(), $"abalone-small-{Guid.NewGuid():N}.data");
        File.WriteAllLines(path, File.ReadLines(RepositoryPaths.Data("abalone", "abalone.data")).Take(201));
        return path;
    }

    private static void AssertClose(float[] expected, Tensor actual)
    {
        var values = actual.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 6);
    }
}
