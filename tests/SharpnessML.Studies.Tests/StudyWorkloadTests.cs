using SharpnessML.Studies;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Tests;

/// <summary>Small studies on each data set: members train, are evaluated and measured, and sharding changes nothing.</summary>
public sealed class StudyWorkloadTests
{
    [Fact]
    public void ACoraStudyTrainsGatsAndMeasuresThemOnTheTrainingNodes()
    {
        var study = new StudyDefinition
        {
            Name = "cora-small", Dataset = StudyDataset.Cora, MaxEpochs = 30,
            Grid = new() { new StudyAxis("heads", new[] { "1" }), new StudyAxis("learningRate", new[] { "0.005", "0.01", "0.02" }) },
            Measures = new() { new StudyMeasureSpec { Name = "adaptive-worst-linf", Rho = 0.02, BatchSize = 64, Batches = 2, Steps = 3 } },
        };
        var members = new StudyRunner(study).Run();
        Assert.Equal(3, members.Count);
        Assert.All(members, m =>
        {
            Assert.InRange(m.TestError, 0, 0.9);
            Assert.True(m.TestLoss > 0 && m.TrainLoss > 0);
            Assert.True(m.Measurements[0].Value >= 0);
            Assert.InRange(m.Epochs, 1, 30);
        });
        var result = StudyResult.Create(study, members, 1, 1, 3);
        Assert.Contains(result.Correlations, c => c.Target == GeneralizationTarget.TestError);
    }

    [Fact]
    public void AFashionMnistStudyTrainsLeNetsOnASubset()
    {
        if (!FashionMnistDataset.IsAvailable()) return; // Debian's dataset-fashion-mnist is installed by scripts/test.sh
        var study = new StudyDefinition
        {
            Name = "fashion-small", Dataset = StudyDataset.FashionMnist, MaxEpochs = 1, TrainExamples = 512,
            Grid = new() { new StudyAxis("batchSize", new[] { "64" }), new StudyAxis("learningRate", new[] { "0.01", "0.02", "0.05" }) },
            Measures = new() { new StudyMeasureSpec { Name = "adaptive-worst-linf", Rho = 1e-4, Batches = 2, Steps = 3 }, new StudyMeasureSpec { Name = "hessian-trace", Examples = 128 } },
        };
        var members = new StudyRunner(study).Run();
        Assert.Equal(3, members.Count);
        Assert.All(members, m =>
        {
            Assert.InRange(m.TestError, 0, 0.9);
            Assert.True(m.Measurements.Single(x => x.Measure == "hessian-trace").Value > 0);
        });
    }

    [Fact]
    public void ShardsOfAStudyInOneStoreGiveTheSameMembersAsOneRun()
    {
        var study = TestStudies.SmallAbalone();
        study.Models = 4;
        var whole = new StudyRunner(study).Run();
        var path = Path.Combine(Path.GetTempPath(), $"sharpnessml-shards-{Guid.NewGuid():N}.db");
        try
        {
            using (var store = new SqliteStudyStore(path))
            {
                // Shard 1 first: members are independent of the order in which they are trained.
                Assert.Equal(new[] { 1, 3 }, new StudyRunner(study).Run(store, new StudyRunSettings { Shard = 1, ShardCount = 2 }).Select(m => m.Index));
                new StudyRunner(study).Run(store, new StudyRunSettings { Shard = 0, ShardCount = 2 });
                StudyMemberComparison.Equal(whole, new StudyRunner(study).Open(store));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }
}
