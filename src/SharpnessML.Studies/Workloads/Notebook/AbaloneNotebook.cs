using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The seed paper's Abalone experiment as <c>FCNN_model.ipynb</c> runs it. Data: <c>pd.read_csv</c> without
/// <c>header=None</c>, so the file's first row is the header and 4,176 rows remain; features the 7 measurements and
/// one-hot M, F, I; label Rings; <c>train_test_split(test_size=0.2, random_state=42)</c> (3,340 / 836, reproduced
/// with <see cref="NumpyRandomState"/>); features and label standardised with the training mean and unbiased std.
/// Training: <see cref="NotebookFcnn"/> 10-64-64-1, plain SGD lr 0.102, 53 steps an epoch whose every loss is the
/// whole training set's MSE, one pass and then up to 11 more while the summed epoch loss falls by ≥ 5%. Sharpness:
/// SGD lr 0.102 on −MSE(training set), 6 epochs × 53 steps, each followed by the clamp without |w|; the state at the
/// end of the epoch with the largest sum of post-step losses is kept; sharpness = MSE(kept) − MSE(w0) on the training
/// set. Generalization: test MSE at w0.
/// </summary>
internal sealed class AbaloneNotebook : INotebookWorkload
{
    public const double NotebookLearningRate = 0.102;
    public const double Epsilon = 0.025;
    public const int BatchSize = 64;
    public const int MaxEpochs = 10; // the notebook's nbepochs: range(nbepochs + 1) further passes after the first
    public const int AscentEpochs = 6; // range(nbepochs + 1) with nbepochs = 5
    public const double StoppingCriterion = 0.05;

    /// <summary>The ascent's steps per epoch: one per training mini-batch of 64, ⌈3340 / 64⌉ (the batch itself is not used).</summary>
    private int StepsPerEpoch => (int)Math.Ceiling((double)trainX.shape[0] / BatchSize);
    private static readonly int[] Sizes = { 10, 64, 64, 1 };

    private readonly Tensor trainX, trainY, testX, testY;
    private readonly int threads;

    public AbaloneNotebook(string? dataPath, int threads = 1)
    {
        this.threads = threads;
        SharpnessML.Trainers.TorchRuntime.EnsureInitialized();
        var ml = new MLContext(seed: 0);
        var view = dataPath is { } path ? AbaloneDataset.Load(ml, path) : AbaloneDataset.Load(ml);
        var rows = ml.Data.CreateEnumerable<AbaloneDataset.AbaloneRow>(view, reuseRowObject: false).Skip(1).ToList(); // the header row pandas took
        (trainX, trainY, testX, testY) = Split(rows);
    }

    /// <summary>Training rows (standardised), [3340, 10] and [3340, 1] for the bundled file.</summary>
    public Tensor TrainFeatures => trainX;

    /// <summary>Standardised training labels.</summary>
    public Tensor TrainLabels => trainY;

    /// <summary>Standardised test rows.</summary>
    public Tensor TestFeatures => testX;

    /// <summary>Standardised test labels.</summary>
    public Tensor TestLabels => testY;

    private static (Tensor, Tensor, Tensor, Tensor) Split(IReadOnlyList<AbaloneDataset.AbaloneRow> rows)
    {
        int n = rows.Count;
        var x = new float[n * 10];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            var r = rows[i];
            var values = new[] { r.Length, r.Diameter, r.Height, r.WholeWeight, r.ShuckedWeight, r.VisceraWeight, r.ShellWeight,
                r.Sex == "M" ? 1f : 0f, r.Sex == "F" ? 1f : 0f, r.Sex == "I" ? 1f : 0f };
            Array.Copy(values, 0, x, i * 10, 10);
            y[i] = r.Rings;
        }

        int testCount = (int)Math.Ceiling(0.2 * n);
        var permutation = new NumpyRandomState(42).Permutation(n);
        using var scope = torch.NewDisposeScope();
        var all = torch.tensor(x, new long[] { n, 10 });
        var labels = torch.tensor(y, new long[] { n, 1 });
        var testRows = torch.tensor(permutation.Take(testCount).Select(i => (long)i).ToArray());
        var trainRows = torch.tensor(permutation.Skip(testCount).Select(i => (long)i).ToArray());
        var (xTrain, yTrain) = (all.index_select(0, trainRows), labels.index_select(0, trainRows));
        var (xTest, yTest) = (all.index_select(0, testRows), labels.index_select(0, testRows));
        var (xMean, xStd, yMean, yStd) = (xTrain.mean(new long[] { 0 }), xTrain.std(0), yTrain.mean(new long[] { 0 }), yTrain.std(0));
        return (((xTrain - xMean) / xStd).MoveToOuterDisposeScope(), ((yTrain - yMean) / yStd).MoveToOuterDisposeScope(),
            ((xTest - xMean) / xStd).MoveToOuterDisposeScope(), ((yTest - yMean) / yStd).MoveToOuterDisposeScope());
    }

    public NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant)
    {
        torch.set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        double learningRate = variant.LearningRate ?? (variant.LibraryGrid ? configuration.Double(HyperparameterAxes.LearningRate, NotebookLearningRate) : NotebookLearningRate);
        int batchSize = variant.LibraryGrid ? configuration.Int(HyperparameterAxes.BatchSize, BatchSize) : BatchSize;
        double ascentRate = variant.LearningRate ?? NotebookLearningRate; // the notebook's one `learning_rate` drives both
        torch.manual_seed(configuration.Seed);
        using var network = new NotebookFcnn(Sizes, eluOutput: !variant.LinearOutput);
        using var shuffle = new torch.Generator((ulong)configuration.Seed);
        int epochs = Train(network, trainX, trainY, learningRate, batchSize, !variant.MiniBatchLoss, shuffle);
        network.eval();
        double trainLoss = Mse(network, trainX, trainY), testLoss = Mse(network, testX, testY);
        double sharpness = variant.Ascent switch
        {
            NotebookAscent.Notebook => NotebookSharpness(network, trainX, trainY, ascentRate, StepsPerEpoch, AscentEpochs, Epsilon, variant.ClampWithAbs),
            NotebookAscent.RandomBatches => RandomBatchSharpness(network, ascentRate, variant.ClampWithAbs, configuration.Seed),
            NotebookAscent.LibraryMeasure or NotebookAscent.LibraryWholeSet => LibrarySharpness(network, variant.Ascent, configuration.Seed),
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant.Ascent, "Unknown ascent."),
        };
        var describe = variant.LibraryGrid ? $"lr={learningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, batch={batchSize}" : $"lr={learningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
        return new NotebookMember(index, configuration.Seed, describe, epochs, trainLoss, testLoss, double.NaN, sharpness, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// <c>train_network</c>: one pass, then, for up to <see cref="MaxEpochs"/> + 1 more, another pass while
    /// (previous − current) / previous ≥ 5% of the summed step losses (the first comparison is against 100, so the
    /// second pass always runs). Each pass takes ⌈n / batch⌉ SGD steps; with <paramref name="fullBatch"/> (the
    /// notebook) every step's loss is the MSE of the whole training set, otherwise of the step's shuffled mini-batch.
    /// Returns the number of passes.
    /// </summary>
    public static int Train(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y, double learningRate, int batchSize, bool fullBatch, torch.Generator shuffle)
    {
        network.train();
        using var optimizer = torch.optim.SGD(network.parameters(), learningRate);
        int n = (int)x.shape[0];
        float Pass()
        {
            float sum = 0;
            using var permutation = torch.randperm(n, generator: shuffle);
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                Tensor loss;
                if (fullBatch) loss = nn.functional.mse_loss(network.call(x), y);
                else
                {
                    var rows = permutation.narrow(0, start, Math.Min(batchSize, n - start));
                    loss = nn.functional.mse_loss(network.call(x.index_select(0, rows)), y.index_select(0, rows));
                }

                sum += loss.item<float>();
                loss.backward();
                optimizer.step();
            }

            return sum;
        }

        float b = Pass(), a = 100;
        int passes = 1;
        for (int epoch = 0; epoch < MaxEpochs + 1; epoch++)
        {
            float change = (a - b) / a;
            if (!(change >= StoppingCriterion)) break;
            a = b;
            b = Pass();
            passes++;
        }

        return passes;
    }

    /// <summary>The MSE of the whole of <paramref name="x"/>, without gradients.</summary>
    public static double Mse(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return nn.functional.mse_loss(network.call(x), y).item<float>();
    }

    /// <summary>
    /// The notebook's PGA on the whole training set (<paramref name="x"/>, <paramref name="y"/>): SGD with
    /// <paramref name="learningRate"/> on −MSE, <paramref name="epochs"/> epochs of <paramref name="steps"/> steps (the notebook: ⌈3340 / 64⌉ = 53), the clamp after
    /// each step, the state at the end of the epoch with the largest sum of post-step MSEs kept (an epoch must beat
    /// the previous best, starting from 0). Returns MSE(kept) − MSE(w0); the network is back at w0 afterwards.
    /// </summary>
    public static double NotebookSharpness(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y, double learningRate, int steps, int epochs,
        double epsilon, bool clampWithAbs)
    {
        var parameters = network.parameters().ToList();
        var w0 = NotebookClamp.Snapshot(parameters);
        Tensor[]? kept = null;
        try
        {
            double original = Mse(network, x, y);
            using var optimizer = torch.optim.SGD(parameters, learningRate);
            float best = 0;
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                float sum = 0;
                for (int s = 0; s < steps; s++)
                {
                    using var scope = torch.NewDisposeScope();
                    optimizer.zero_grad();
                    var loss = -nn.functional.mse_loss(network.call(x), y);
                    loss.backward();
                    optimizer.step();
                    NotebookClamp.Project(parameters, w0, epsilon, clampWithAbs);
                    sum += (float)Mse(network, x, y);
                }

                if (sum > best)
                {
                    best = sum;
                    foreach (var t in kept ?? Array.Empty<Tensor>()) t.Dispose();
                    kept = NotebookClamp.Snapshot(parameters);
                }
            }

            if (kept is null) return 0; // no epoch's losses summed above 0: the notebook would keep no file (only for a zero loss)
            NotebookClamp.Restore(parameters, kept);
            double perturbed = Mse(network, x, y);
            return perturbed - original;
        }
        finally
        {
            NotebookClamp.Restore(parameters, w0);
            foreach (var t in w0) t.Dispose();
            foreach (var t in kept ?? Array.Empty<Tensor>()) t.Dispose();
        }
    }

    /// <summary>m-sharpness with the notebook's ascent: its PGA (the same 6 × 53 steps) on each of 16 random batches of 64, measured on that batch; the mean.</summary>
    private double RandomBatchSharpness(NotebookFcnn network, double learningRate, bool clampWithAbs, int seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        double total = 0;
        const int batches = 16, m = 64;
        for (int b = 0; b < batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            var rows = torch.randperm(trainX.shape[0], generator: generator).narrow(0, 0, m);
            total += NotebookSharpness(network, trainX.index_select(0, rows), trainY.index_select(0, rows), learningRate, StepsPerEpoch, AscentEpochs, Epsilon, clampWithAbs);
        }

        return total / batches;
    }

    private double LibrarySharpness(NotebookFcnn network, NotebookAscent ascent, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var spec = SeedPaperStudies.PaperMeasure(StudyDataset.Abalone);
        if (ascent == NotebookAscent.LibraryWholeSet) spec = new StudyMeasureSpec { Name = spec.Name, Rho = spec.Rho, BatchSize = (int)trainX.shape[0], Batches = 1, Steps = spec.Steps };
        using var data = new SupervisedTensors(trainX.alias(), trainY.reshape(-1));
        var landscape = LossLandscape.ForSupervised(network, data, LossFunction.MeanSquaredError);
        return MeasureRegistry.BuiltIn.Measure(spec.Name, landscape, spec.SettingsFor(seed)).Value;
    }

    public void Dispose()
    {
        trainX.Dispose();
        trainY.Dispose();
        testX.Dispose();
        testY.Dispose();
    }
}
