// The README's code sample, kept compiling: load data, train, measure sharpness, save and load.
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Perturbation;
using SharpnessML.Datasets;

var ml = new MLContext(seed: 0);
var split = AbaloneDataset.Split(ml, AbaloneDataset.Load(ml));

// Preprocessing (one-hot sex, standardise features and label on the training split) + a 10-64-64-1 ReLU MLP trained
// the seed paper's way (plain SGD, batch 64, at most 10 epochs, the 5% stopping rule) at learning rate 0.05.
// (With only HiddenLayerSizes and Seed set, the defaults train with Adam and early stopping: docs/defaults.md.)
var options = PaperMlp(learningRate: 0.05);
var model = AbaloneDataset.FeaturePipeline(ml)
    .Append(ml.Regression.Trainers.Mlp(options))
    .Fit(split.TrainSet);

// Test loss with ML.NET's own evaluator; sharpness with ours (on the training data).
var test = ml.Regression.Evaluate(model.Transform(split.TestSet));
SharpnessMetrics sharpness = ml.Sharpness().Evaluate(model, split.TrainSet,
    new WorstCaseSharpnessOptions { Rho = 0.025, Norm = PerturbationNorm.LInfinity, Adaptive = true });
Console.WriteLine($"test MSE {test.MeanSquaredError:F3}, {sharpness}");

// ML.NET 5 cannot save third-party transformers; the library's model file holds the ML.NET chain and the network.
var path = Path.Combine(Path.GetTempPath(), "abalone-mlp.zip");
ml.Sharpness().Model.Save(model, split.TrainSet.Schema, path);
var loaded = ml.Sharpness().Model.Load(path, out var schema);

// Model selection: rank candidates by one measure (same seed for each) and take the flattest.
var candidates = new[] { 0.005, 0.02, 0.1 }.Select(lr =>
{
    var o = PaperMlp(lr);
    var trained = AbaloneDataset.FeaturePipeline(ml).Append(ml.Regression.Trainers.Mlp(o)).Fit(split.TrainSet);
    return ModelCandidate.FromTransformer($"lr {lr}", trained);
}).ToList();
candidates.Add(ModelCandidate.FromModelFile(path)); // the file saved above (lr 0.05); TorchScript: ModelCandidate.FromTorchScript
ModelSelectionResult selection = ml.Sharpness().SelectModel(candidates, split.TrainSet, "adaptive-worst-linf",
    new MeasureSettings(Rho: 0.025, Seed: 0));
Console.WriteLine(selection); // the ranking (value, stderr, loss on the data) and the selected model
ITransformer? flattest = candidates[selection.Selected.Index].Model; // null when the winner is a file

static MlpOptions PaperMlp(double learningRate)
{
    var options = MlpOptions.SeedPaperAbalone();
    options.Activation = Activation.Relu;
    options.Seed = 1;
    options.Optimizer.LearningRate = learningRate;
    return options;
}
