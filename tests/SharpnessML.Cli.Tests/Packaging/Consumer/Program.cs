// The program of the README's "Use it in your project": an ML.NET pipeline on the user's own CSV, trained with
// SharpnessML's MLP, evaluated with ML.NET's evaluator, measured, saved and loaded as a model file, and selected
// among candidates by sharpness. The packaging test builds it outside the repository, against the packages, a
// ProjectReference and as a published app. Usage: Consumer <train.csv> <test.csv> <model.zip>
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Transforms.Evaluation;

var ml = new MLContext(seed: 0);
var train = ml.Data.LoadFromTextFile<Flower>(args[0], hasHeader: true, separatorChar: ',');
var test = ml.Data.LoadFromTextFile<Flower>(args[1], hasHeader: true, separatorChar: ',');

// Preprocessing: the class name to a key, the measurements into one standardised vector; then a 32-unit MLP.
var preprocessing = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Flower.Species))
    .Append(ml.Transforms.Concatenate("Features", nameof(Flower.A), nameof(Flower.B), nameof(Flower.C), nameof(Flower.D)))
    .Append(ml.Transforms.NormalizeMeanVariance("Features"));
var model = preprocessing
    .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 32 }, Seed = 1 }))
    .Fit(train);

// Test accuracy with ML.NET's own evaluator; sharpness with ours, on the training data.
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
MeasureResult sharpness = ml.Sharpness().Measure(model, train, "adaptive-worst-linf");
Console.WriteLine($"accuracy {metrics.MacroAccuracy:F3}");
Console.WriteLine($"adaptive-worst-linf {sharpness.Value:G6}");

// The library's model file holds the ML.NET chain and the network; loading it gives the same predictions.
ml.Sharpness().Model.Save(model, train.Schema, args[2]);
var loaded = ml.Sharpness().Model.Load(args[2], out _);
var reloaded = ml.MulticlassClassification.Evaluate(loaded.Transform(test));
Console.WriteLine($"reloaded accuracy {reloaded.MacroAccuracy:F3}");

// Select among candidates (here: three seeds) by the same measure: the flattest wins.
var candidates = Enumerable.Range(1, 3)
    .Select(seed => (ITransformer)preprocessing
        .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 32 }, Seed = seed }))
        .Fit(train))
    .ToList();
var selection = ml.Sharpness().SelectModel(candidates, train, "adaptive-worst-linf");
Console.WriteLine($"selected {selection.Selected.Name}");

/// <summary>One row of the CSV: four measurements and the species.</summary>
public sealed class Flower
{
    [LoadColumn(0)] public float A { get; set; }
    [LoadColumn(1)] public float B { get; set; }
    [LoadColumn(2)] public float C { get; set; }
    [LoadColumn(3)] public float D { get; set; }
    [LoadColumn(4)] public string Species { get; set; } = "";
}
