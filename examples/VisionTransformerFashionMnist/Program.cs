// Trains the library's small vision transformer on FashionMNIST and reports test accuracy and time.
// Usage: dotnet run -c Release --project examples/VisionTransformerFashionMnist -- [epochs] [threads]
using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Training;
using SharpnessML.Trainers.VisionTransformer;
using SharpnessML.Datasets;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 10;
int threads = args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount;
TorchSharp.torch.set_num_threads(threads);
var ml = new MLContext(seed: 0);
var train = FashionMnistDataset.Load(ml, FashionMnistSplit.Train);
var test = FashionMnistDataset.Load(ml, FashionMnistSplit.Test);
// Every epoch runs, on all 60,000 training images (no validation set, no early stopping).
var options = new VisionTransformerOptions { MaxEpochs = epochs, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Seed = 0 };
var clock = Stopwatch.StartNew();
var model = ml.MulticlassClassification.Trainers.VisionTransformer(options)
    .Fit(train, (epoch, loss) => Console.WriteLine($"epoch {epoch + 1}: train loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
var metrics = NetworkEvaluation.Evaluate(model, test);
Console.WriteLine($"test accuracy {metrics.Accuracy:P2}, test loss {metrics.MeanLoss:F4}; {epochs} epochs in {clock.Elapsed.TotalSeconds:F0} s on {threads} thread(s); {model.Parameters.Sum(p => p.numel())} parameters");
