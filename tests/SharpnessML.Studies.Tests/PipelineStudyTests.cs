using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using Xunit;

namespace SharpnessML.Studies.Tests;

/// <summary>
/// A study over the user's CSV from a study file (<c>docs/studies/breast-cancer.json</c>) and the same study from C#
/// with the user's own pipeline (an ML.NET transform before the trainer): the members are identical bit for bit.
/// </summary>
public sealed class PipelineStudyTests
{
    private static string StudyFile => Path.Combine(RepositoryPaths.Root, "docs", "studies", "breast-cancer.json");

    private static StudyDefinition FirstMembers(int count)
    {
        var definition = StudyDefinition.Load(StudyFile);
        definition.Models = count;
        definition.MaxEpochs = 8;
        return definition;
    }

    [Fact]
    public void A_study_from_CSharp_with_a_user_pipeline_equals_the_file_driven_study()
    {
        var definition = FirstMembers(4);
        var fromFile = new StudyRunner(definition).Run();
        Assert.Equal(4, fromFile.Count);
        Assert.All(fromFile, m => Assert.True(double.IsFinite(m.TestError) && m.Measurements.All(x => double.IsFinite(x.Value))));

        // The user's program: their own loading, split and pipeline, the grid point applied by hand.
        var ml = new MLContext(seed: 0);
        var data = CsvDataset.Load(ml, Path.Combine(RepositoryPaths.Root, "docs", "studies", "breast-cancer.csv"), "diagnosis", NetworkTask.MulticlassClassification);
        var pipeline = StudyPipeline.FromSplit(ml, data, testFraction: 0.3, seed: 0, member =>
        {
            var options = new MlpOptions { HiddenLayerSizes = new[] { 32, 32 }, Seed = member.Seed, MaxEpochs = 8 };
            StudyDefinition.TryParseOptimizer(member.Text("optimizer")!, out var optimizer);
            options.Optimizer.Kind = optimizer;
            options.Optimizer.LearningRate = member.Double("learningRate", 0);
            return ml.Transforms.NormalizeMeanVariance("Features", fixZero: false)
                .Append(ml.MulticlassClassification.Trainers.Mlp(options));
        });
        var code = new StudyDefinition
        {
            Name = definition.Name, Grid = definition.Grid, Measures = definition.Measures, Models = 4, MaxEpochs = 8,
        };
        var fromCode = new StudyRunner(code, pipeline).Run();
        StudyMemberComparison.Equal(fromFile, fromCode);
    }

    [Fact]
    public void A_pipeline_study_is_stored_and_resumed_and_its_store_pins_the_data()
    {
        var ml = new MLContext(seed: 0);
        var data = CsvDataset.Load(ml, Path.Combine(RepositoryPaths.Root, "docs", "studies", "breast-cancer.csv"), "diagnosis", NetworkTask.MulticlassClassification);
        StudyPipeline Pipeline(IDataView view) => StudyPipeline.FromSplit(ml, view, 0.3, 0, member =>
            ml.Transforms.NormalizeMeanVariance("Features", fixZero: false)
                .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 8 }, Seed = member.Seed, MaxEpochs = 3 })));
        var definition = new StudyDefinition
        {
            Name = "pipeline", Grid = { new StudyAxis("replicate", new[] { "0", "1", "2" }) },
            Measures = { new StudyMeasureSpec { Name = "weight-l2-norm" } },
        };
        var path = Path.Combine(Path.GetTempPath(), $"sharpnessml-pipeline-{Guid.NewGuid():N}.db");
        try
        {
            IReadOnlyList<StudyMember> first;
            using (var store = new SqliteStudyStore(path)) first = new StudyRunner(definition, Pipeline(data)).Run(store);
            using (var store = new SqliteStudyStore(path))
            {
                var again = new StudyRunner(definition, Pipeline(data)).Run(store);
                StudyMemberComparison.Equal(first, again);
                Assert.Equal(first.Select(m => m.TrainSeconds), again.Select(m => m.TrainSeconds)); // loaded, not retrained
            }

            // Other data (the first 500 rows) has another fingerprint: the store refuses it.
            var fewer = ml.Data.TakeRows(data, 500);
            using (var store = new SqliteStudyStore(path))
                Assert.Throws<InvalidOperationException>(() => new StudyRunner(definition, Pipeline(fewer)).Run(store));
        }
        finally
        {
            SqliteStudyStore.Delete(path);
        }
    }

    [Fact]
    public void A_pipeline_study_refuses_worker_processes()
    {
        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromEnumerable(new[] { new { Features = new float[] { 1 }, Label = 1f } });
        var pipeline = new StudyPipeline(view, view, _ => ml.Regression.Trainers.Mlp());
        var definition = new StudyDefinition { Grid = { new StudyAxis("replicate", new[] { "0", "1", "2" }) } };
        var e = Assert.Throws<ArgumentException>(() => StudyExecution.Start(definition, pipeline,
            new StudyExecutionOptions { Workers = 2, WorkerCommand = new StudyWorkerCommand("true", Array.Empty<string>()) }));
        Assert.Contains("runs in this process only", e.Message);
    }
}
