using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Trainers.Tests.ModelFiles;

/// <summary>The options' ScoreColumnName and PredictedLabelColumnName: the estimator's schema, the transformer and the model file.</summary>
public sealed class OutputColumnNameTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-columns-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    private static IDataView Data(MLContext ml, bool classes) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i =>
        {
            float a = (i % 7) / 7f, b = (i % 5) / 5f;
            return new Row { Features = new[] { a, b }, Label = classes ? (a > b ? 1 : 0) : a - 2 * b };
        }).ToList());

    // ML.NET keeps SchemaShape.Create internal; its pipelines call it the same way.
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic,
            new[] { typeof(DataViewSchema) })!.Invoke(null, new object[] { schema })!;

    private static MlpOptions Options(string score, string predicted) => new()
    {
        HiddenLayerSizes = new[] { 4 }, MaxEpochs = 3, Seed = 1, ScoreColumnName = score, PredictedLabelColumnName = predicted,
    };

    [Fact]
    public void AClassifierWritesItsOutputsUnderTheGivenNamesAndTheModelFileKeepsThem()
    {
        var ml = new MLContext(seed: 0);
        var data = Data(ml, classes: true);
        var trainer = ml.MulticlassClassification.Trainers.Mlp(Options("Probabilities", "Class"));
        var shape = trainer.GetOutputSchema(ShapeOf(data.Schema));
        Assert.Contains(shape, c => c.Name == "Probabilities");
        Assert.Contains(shape, c => c.Name == "Class");
        Assert.DoesNotContain(shape, c => c.Name is "Score" or "PredictedLabel");

        using var model = trainer.Fit(data);
        var scored = model.Transform(data);
        Assert.Null(scored.Schema.GetColumnOrNull("Score"));
        Assert.Null(scored.Schema.GetColumnOrNull("PredictedLabel"));
        Assert.IsType<KeyDataViewType>(scored.Schema["Class"].Type);
        var probabilities = scored.GetColumn<VBuffer<float>>("Probabilities").Select(v => v.DenseValues().ToArray()).ToList();
        var predicted = scored.GetColumn<uint>("Class").ToList();

        var path = Path.Combine(folder, "classifier.zip");
        ml.Sharpness().Model.Save(model, data.Schema, path);
        var loaded = ml.Sharpness().Model.Load(path, out _).Transform(data);
        Assert.Null(loaded.Schema.GetColumnOrNull("Score"));
        Assert.Equal(probabilities, loaded.GetColumn<VBuffer<float>>("Probabilities").Select(v => v.DenseValues().ToArray()).ToList());
        Assert.Equal(predicted, loaded.GetColumn<uint>("Class").ToList());
    }

    [Fact]
    public void ARegressionModelWritesItsPredictionUnderTheGivenNameAndTheModelFileKeepsIt()
    {
        var ml = new MLContext(seed: 0);
        var data = Data(ml, classes: false);
        using var model = ml.Regression.Trainers.Mlp(Options("Prediction", "Unused")).Fit(data);
        var scored = model.Transform(data);
        Assert.Null(scored.Schema.GetColumnOrNull("Score"));
        var expected = scored.GetColumn<float>("Prediction").ToArray();

        var path = Path.Combine(folder, "regression.zip");
        ml.Sharpness().Model.Save(model, data.Schema, path);
        var loaded = ml.Sharpness().Model.Load(path, out _).Transform(data);
        Assert.Null(loaded.Schema.GetColumnOrNull("Score"));
        Assert.Equal(expected, loaded.GetColumn<float>("Prediction").ToArray());
    }

    [Fact]
    public void TheDefaultsAreMlNetsColumnNames()
    {
        var options = new MlpOptions();
        Assert.Equal("Score", options.ScoreColumnName);
        Assert.Equal("PredictedLabel", options.PredictedLabelColumnName);
        Assert.Throws<ArgumentException>(() => new MlpOptions { ScoreColumnName = "X", PredictedLabelColumnName = "X" }.Validate());
    }
}
