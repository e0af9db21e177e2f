using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Tests.Evaluation;

/// <summary>The evaluation stage over a pool of saved models: a row per model in, a column per measure out.</summary>
public sealed class SharpnessMeasuringEstimatorTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-stage-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class ModelRow
    {
        public string ModelPath { get; set; } = "";
        public float Alpha { get; set; }
    }

    private List<ModelRow> SavePool(MLContext ml, IDataView raw, params double[] alphas) =>
        alphas.Select((alpha, i) =>
        {
            var path = Path.Combine(folder, $"model-{i}.zip");
            ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, alpha), raw.Schema, path);
            return new ModelRow { ModelPath = path, Alpha = (float)alpha };
        }).ToList();

    [Fact]
    public void EachRowGetsTheValuesSelectModelGivesAndThePoolFeedsEvaluateCorrelation()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var rows = SavePool(ml, raw, 2.0, 0.5, 1.0, 3.0);
        var pool = ml.Data.LoadFromEnumerable(rows);
        var settings = new MeasureSettings(Seed: 3);
        var measured = ml.Sharpness().MeasureSharpness(raw, new[] { "hessian-trace", "adaptive-worst-linf" }, settings: settings).Fit(pool).Transform(pool);

        var trace = measured.GetColumn<float>("hessian-trace").ToArray();
        var sharpness = measured.GetColumn<float>("adaptive-worst-linf").ToArray();
        var stderr = measured.GetColumn<float>("adaptive-worst-linf.StdErr").ToArray();
        var loss = measured.GetColumn<float>("Loss").ToArray();
        Assert.Equal(rows.Select(r => r.Alpha), measured.GetColumn<float>("Alpha")); // the input's columns pass through
        for (int i = 0; i < rows.Count; i++)
        {
            var single = new[] { ModelCandidate.FromModelFile(rows[i].ModelPath) };
            var byTrace = ml.Sharpness().SelectModel(single, raw, "hessian-trace", settings).Ranking[0];
            var bySharpness = ml.Sharpness().SelectModel(single, raw, "adaptive-worst-linf", settings).Ranking[0];
            Assert.Equal((float)byTrace.Value, trace[i]);
            Assert.Equal((float)bySharpness.Value, sharpness[i]);
            Assert.Equal((float)bySharpness.StandardError!.Value, stderr[i]);
            Assert.Equal((float)byTrace.Loss, loss[i]);
            // And the closed form: tr H of the α-rescaled copy (ModelSelectionTests derives it).
            Assert.Equal(RescaledMlp.ExactTrace(rows[i].Alpha), trace[i], RescaledMlp.ExactTrace(rows[i].Alpha) * 1e-5);
        }
        Assert.True(float.IsNaN(measured.GetColumn<float>("hessian-trace.StdErr").First())); // the exact trace has no standard error
        // The same function at every α, so the same loss; the trace changes with α.
        Assert.All(loss, l => Assert.Equal(loss[0], l, 1e-5f));
        Assert.Equal(4, trace.Distinct().Count());

        var correlation = Assert.Single(ml.Sharpness().EvaluateCorrelation(measured, "Alpha", new[] { "hessian-trace" }));
        Assert.Equal(4, correlation.Models);
    }

    [Fact]
    public void AMissingModelFileIsNamedWithItsRow()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var rows = SavePool(ml, raw, 1.0);
        rows.Add(new ModelRow { ModelPath = Path.Combine(folder, "missing.zip") });
        var pool = ml.Data.LoadFromEnumerable(rows);
        var stage = ml.Sharpness().MeasureSharpness(raw, new[] { "hessian-trace" }).Fit(pool);
        var error = Assert.Throws<FileNotFoundException>(() => stage.Transform(pool));
        Assert.Contains("Row 2", error.Message);
        Assert.Contains("missing.zip", error.Message);
    }

    [Fact]
    public void BadOptionsAreRefusedWhenTheStageIsMade()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        Assert.Contains("no-such-measure", Assert.ThrowsAny<ArgumentException>(() => ml.Sharpness().MeasureSharpness(raw, new[] { "no-such-measure" })).Message);
        var pool = ml.Data.LoadFromEnumerable(new[] { new ModelRow { ModelPath = "x" } });
        Assert.Contains("'Path'", Assert.Throws<ArgumentException>(() => ml.Sharpness().MeasureSharpness(raw, new[] { "hessian-trace" }, modelColumnName: "Path").Fit(pool)).Message);
        Assert.Contains("must hold text", Assert.Throws<ArgumentException>(() => ml.Sharpness().MeasureSharpness(raw, new[] { "hessian-trace" }, modelColumnName: "Alpha").Fit(pool)).Message);
    }
}
