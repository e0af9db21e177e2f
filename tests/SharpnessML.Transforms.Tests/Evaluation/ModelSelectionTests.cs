using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Tests.Evaluation;

public sealed class ModelSelectionTests
{
    private static readonly double[] Alphas = { 2, 1, 3, 0.5 };

    [Fact]
    public void RescaledCopiesAreRankedByTheirExactHessianTrace()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var candidates = Alphas.Select(a => ModelCandidate.FromTransformer($"alpha={a}", RescaledMlp.Model(ml, raw, a))).ToList();

        var result = ml.Sharpness().SelectModel(candidates, raw, "hessian-trace");

        var expected = Alphas.Select(a => (Name: $"alpha={a}", Trace: RescaledMlp.ExactTrace(a))).OrderBy(e => e.Trace).ToList();
        Assert.NotEqual(Alphas.Select(a => $"alpha={a}"), expected.Select(e => e.Name)); // the ranking is not the given order
        Assert.Equal(expected.Select(e => e.Name), result.Ranking.Select(r => r.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(i + 1, result.Ranking[i].Rank);
            Assert.Equal(expected[i].Trace, result.Ranking[i].Value, 1e-4 * expected[i].Trace);
            Assert.Null(result.Ranking[i].StandardError); // 19 parameters: the exact dense trace
            Assert.Equal(Array.IndexOf(Alphas, double.Parse(result.Ranking[i].Name["alpha=".Length..], CultureInfo.InvariantCulture)), result.Ranking[i].Index);
        }
        Assert.Same(result.Ranking[0], result.Selected);
        // Same function, same loss: only the measure tells the copies apart.
        double loss = result.Ranking[0].Loss;
        Assert.True(loss > 0.01);
        Assert.All(result.Ranking, r => Assert.Equal(loss, r.Loss, 1e-5 * loss));
    }

    [Fact]
    public void EveryCandidateIsMeasuredWithTheSameSeedAsMeasureWould()
    {
        // A stochastic measure: selection's value for each candidate is exactly what Measure gives with the same settings.
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var models = new[] { 1.0, 3.0 }.Select(a => RescaledMlp.Model(ml, raw, a)).ToList();
        var settings = new MeasureSettings(Rho: 0.05, Seed: 7);

        var result = ml.Sharpness().SelectModel(models, raw, "standard-avg-l2", settings);

        Assert.Equal(new[] { "model 0", "model 1" }, result.Ranking.Select(r => r.Name).Order());
        foreach (var row in result.Ranking)
        {
            var direct = ml.Sharpness().Measure(models[row.Index], raw, "standard-avg-l2", settings);
            Assert.Equal(direct.Value, row.Value);
            Assert.Equal(direct.StandardError, row.StandardError);
        }
        Assert.Equal(settings, result.Settings);
    }

    [Fact]
    public void ModelFilesAreCandidatesByPath()
    {
        var folder = Directory.CreateTempSubdirectory("sharpnessml-select-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var raw = RescaledMlp.Load(ml);
            var paths = new[] { 3.0, 1.0 }.Select(a =>
            {
                var path = Path.Combine(folder, $"alpha{a}.zip");
                ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, a), raw.Schema, path);
                return path;
            }).ToList();

            var result = ml.Sharpness().SelectModel(paths, raw, "hessian-trace");

            var expected = new[] { 3.0, 1.0 }.Select(a => (Name: $"alpha{a}.zip", Trace: RescaledMlp.ExactTrace(a))).OrderBy(e => e.Trace).ToList();
            Assert.Equal(expected.Select(e => e.Name), result.Ranking.Select(r => r.Name));
            Assert.Equal(expected[0].Trace, result.Selected.Value, 1e-4 * expected[0].Trace);
            Assert.Contains("selected: " + expected[0].Name, result.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ATorchScriptCandidateReadsTheFeatureVectorAndMatchesPyTorchsTrace()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var data = ml.Transforms.Concatenate("Features", "a", "b", "c", "d").Fit(raw).Transform(raw);
        var torchScript = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "fcnn.pt");
        var candidates = new[]
        {
            ModelCandidate.FromTorchScript(torchScript, LossFunction.MeanSquaredError, labelColumnName: "target"),
            ModelCandidate.FromTransformer("alpha=1", RescaledMlp.Network(ml, 1)),
        };

        var result = ml.Sharpness().SelectModel(candidates, data, "hessian-trace");

        var reference = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(torchScript)!, "reference.json"))).RootElement;
        var row = result.Ranking.Single(r => r.Name == "fcnn.pt");
        double trace = reference.GetProperty("trace").GetDouble();
        Assert.Equal(trace, row.Value, 1e-3 * trace);
        Assert.Equal(reference.GetProperty("loss").GetDouble(), row.Loss, 1e-5);
        Assert.Equal(0, row.Index);
        Assert.Equal(RescaledMlp.ExactTrace(1), result.Ranking.Single(r => r.Name == "alpha=1").Value, 1e-4 * RescaledMlp.ExactTrace(1));
    }

    [Fact]
    public void ATorchScriptFileGivenAsAModelFileIsRefusedSayingWhatToUse()
    {
        var ml = new MLContext();
        var torchScript = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "fcnn.pt");
        var e = Assert.Throws<InvalidDataException>(() => ml.Sharpness().SelectModel(new[] { torchScript }, RescaledMlp.Load(ml), "hessian-trace"));
        Assert.Contains(torchScript, e.Message);
        Assert.Contains("ModelCandidate.FromTorchScript", e.Message);
    }

    [Fact]
    public void AnEmptyCandidateListIsRefused()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentException>(() => ml.Sharpness().SelectModel(Array.Empty<ITransformer>(), RescaledMlp.Load(ml), "hessian-trace"));
        Assert.Contains("at least one candidate", e.Message);
    }

    [Fact]
    public void AnUnknownMeasureIsRefusedListingTheKnownOnes()
    {
        var ml = new MLContext();
        var raw = RescaledMlp.Load(ml);
        var e = Assert.Throws<ArgumentException>(() => ml.Sharpness().SelectModel(new[] { RescaledMlp.Model(ml, raw, 1) }, raw, "flattest"));
        Assert.Contains("Unknown measure 'flattest'", e.Message);
        Assert.Contains("hessian-trace", e.Message);
        Assert.Contains("adaptive-worst-linf", e.Message);
    }

    [Fact]
    public void ACandidateWhoseInputWidthDiffersFromTheDataIsNamed()
    {
        var ml = new MLContext();
        var raw = RescaledMlp.Load(ml);
        var wide = ml.Transforms.Concatenate("Features", "a", "b", "c", "d", "target").Fit(raw).Transform(raw);
        var candidates = new[]
        {
            ModelCandidate.FromTransformer("fits", RescaledMlp.Network(ml, 1)),
            ModelCandidate.FromTransformer("narrow", RescaledMlp.Network(ml, 1)),
        };
        var e = Assert.Throws<ArgumentException>(() => ml.Sharpness().SelectModel(candidates, wide, "hessian-trace"));
        Assert.StartsWith("Candidate 'fits': ", e.Message);
        Assert.Contains("5 features per example, but the network expects 4", e.Message);
    }

    [Fact]
    public void RepeatedNamesAreRefused()
    {
        var ml = new MLContext();
        var raw = RescaledMlp.Load(ml);
        var model = RescaledMlp.Model(ml, raw, 1);
        var e = Assert.Throws<ArgumentException>(() => ml.Sharpness().SelectModel(
            new[] { ModelCandidate.FromTransformer("same", model), ModelCandidate.FromTransformer("same", model) }, raw, "hessian-trace"));
        Assert.Contains("'same'", e.Message);
    }
}
