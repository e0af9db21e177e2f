// Regenerates the evidence table of docs/defaults.md: the MLP trainers with only HiddenLayerSizes and Seed set,
// against ML.NET's LbfgsMaximumEntropy (classification accuracy) and Sdca (regression R²), on small public tabular
// data sets (data/sklearn-small, see data/PROVENANCE.md), each split 80/20 with ML.NET's TrainTestSplit (seed 0),
// features standardised with the training rows' statistics.
// Usage: dotnet run -c Release --project examples/DefaultsEvidence -- [--seeds N] [--log]
//   --seeds N  MLP seeds 0..N−1 (default 5); the table gives seed 0 and the mean and lowest over the seeds
//   --log      print the trainers' progress messages (ML.NET's MLContext.Log)
//   --seed-paper  train as the defaults did before docs/defaults.md: the seed paper's schedule (plain SGD 0.01,
//              batch 64, at most 10 epochs, the 5% rule) with ReLU
//   --hidden A,B  hidden widths (default 32; "" = linear)
//   --batch N, --epochs N, --patience N, --validation X, --lr X, --min-delta X, --no-restore, --raw-label
//              override one default, to measure an alternative (docs/defaults.md lists the ones measured)
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Mlp;

int seeds = args.Contains("--seeds") ? int.Parse(args[Array.IndexOf(args, "--seeds") + 1], CultureInfo.InvariantCulture) : 5;
bool log = args.Contains("--log");
var hidden = args.Contains("--hidden") ? args[Array.IndexOf(args, "--hidden") + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() : new[] { 32 };
string? Arg(string name) => args.Contains(name) ? args[Array.IndexOf(args, name) + 1] : null;
double? Number(string name) => Arg(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;
MlpOptions Options(int seed)
{
    var options = new MlpOptions { HiddenLayerSizes = hidden, Seed = seed };
    if (args.Contains("--seed-paper"))
    {
        options = MlpOptions.SeedPaperAbalone();
        options.HiddenLayerSizes = hidden;
        options.Activation = SharpnessML.Trainers.Networks.Activation.Relu;
        options.Seed = seed;
    }
    if (Number("--batch") is { } batch) options.BatchSize = (int)batch;
    if (Number("--epochs") is { } epochs) options.MaxEpochs = (int)epochs;
    if (Number("--patience") is { } patience) options.EarlyStoppingPatience = (int)patience;
    if (Number("--validation") is { } fraction) options.ValidationFraction = fraction;
    if (Number("--lr") is { } lr) options.Optimizer.LearningRate = lr;
    if (Number("--min-delta") is { } delta) options.EarlyStoppingMinDelta = delta;
    if (args.Contains("--no-restore")) options.RestoreBestWeights = false;
    if (args.Contains("--raw-label")) options.StandardizeLabel = false;
    return options;
}
string folder = Path.Combine(AppContext.BaseDirectory, "data", "sklearn-small"); // copied beside the program by the project file

Console.WriteLine($"| data set | rows | features | task | MLP, seed 0 | MLP, mean (lowest) over seeds 0–{seeds - 1} | MLP epochs (seed 0) | ML.NET baseline | difference (seed 0) |");
Console.WriteLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var set in TabularSet.All(folder))
{
    var ml = new MLContext(seed: 0);
    if (log) ml.Log += (_, e) => { if (e.Source.StartsWith("MlpTrainer", StringComparison.Ordinal)) Console.Error.WriteLine(e.Message); };
    var (train, test) = set.Split(ml);
    double baseline = set.Baseline(ml, train, test);
    var scores = new List<double>();
    int epochs = 0;
    for (int seed = 0; seed < seeds; seed++)
    {
        var (score, trained) = set.Mlp(ml, train, test, Options(seed));
        scores.Add(score);
        if (seed == 0) epochs = trained;
    }
    string metric = set.Classification ? "accuracy" : "R²";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {set.Name} | {set.Rows} | {set.Features} | {(set.Classification ? $"{set.Classes} classes" : "regression")} | {metric} {Pct(scores[0])} | {Pct(scores.Average())} ({Pct(scores.Min())}) | {epochs} | {set.BaselineName} {Pct(baseline)} | {100 * (scores[0] - baseline):+0.0;−0.0;0.0} points |"));
}

static string Pct(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture);

/// <summary>One small tabular data set: its rows, how it is split, standardised, trained and scored.</summary>
internal sealed record TabularSet(string Name, float[][] X, float[] Y, int Classes)
{
    public bool Classification => Classes > 0;
    public int Rows => X.Length;
    public int Features => X[0].Length;
    public string BaselineName => Classification ? "LbfgsMaximumEntropy" : "Sdca";

    /// <summary>UCI Wine, Iris and Breast Cancer Wisconsin (classification) and the diabetes data (regression), as scikit-learn ships them.</summary>
    public static IEnumerable<TabularSet> All(string folder)
    {
        yield return Sklearn("Wine (UCI)", Path.Combine(folder, "wine_data.csv"));
        yield return Sklearn("Iris (UCI)", Path.Combine(folder, "iris.csv"));
        yield return Sklearn("Breast Cancer Wisconsin (UCI)", Path.Combine(folder, "breast_cancer.csv"));
        yield return Diabetes(Path.Combine(folder, "diabetes_data_raw.csv"), Path.Combine(folder, "diabetes_target.csv"));
    }

    /// <summary>scikit-learn's CSV layout: a first line "rows,features,class names…", then the features and the class index.</summary>
    public static TabularSet Sklearn(string name, string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int rows = int.Parse(header[0], CultureInfo.InvariantCulture), features = int.Parse(header[1], CultureInfo.InvariantCulture);
        var values = lines.Skip(1).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        if (values.Length != rows || values.Any(v => v.Length != features + 1))
            throw new InvalidDataException($"{path}: expected {rows} rows of {features + 1} values.");
        return new TabularSet(name, values.Select(v => v[..features]).ToArray(), values.Select(v => v[features]).ToArray(), header.Length - 2);
    }

    /// <summary>The diabetes data (Efron et al., 2004): 442 rows of 10 space-separated raw features, and the target file.</summary>
    public static TabularSet Diabetes(string dataPath, string targetPath)
    {
        static float[] Parse(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var x = File.ReadAllLines(dataPath).Select(Parse).ToArray();
        var y = File.ReadAllLines(targetPath).Select(l => Parse(l)[0]).ToArray();
        if (x.Length != y.Length || x.Any(r => r.Length != 10)) throw new InvalidDataException($"{dataPath}: expected rows of 10 features, one target each.");
        return new TabularSet("Diabetes (Efron et al., 2004)", x, y, 0);
    }

    /// <summary>80/20 split with ML.NET's TrainTestSplit (seed 0); features standardised on the training rows; class labels as keys.</summary>
    public (IDataView Train, IDataView Test) Split(MLContext ml)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features);
        var data = ml.Data.LoadFromEnumerable(X.Zip(Y, (x, y) => new Row { Features = x, Label = y }), definition);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 0);
        IEstimator<ITransformer> prepare = ml.Transforms.NormalizeMeanVariance(nameof(Row.Features));
        if (Classification) prepare = ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label)).Append(prepare);
        var fitted = prepare.Fit(split.TrainSet);
        return (ml.Data.Cache(fitted.Transform(split.TrainSet)), ml.Data.Cache(fitted.Transform(split.TestSet)));
    }

    /// <summary>Test accuracy (classification) or R² (regression) of the MLP trained with <paramref name="options"/>, and its epochs.</summary>
    public (double Score, int Epochs) Mlp(MLContext ml, IDataView train, IDataView test, MlpOptions options)
    {
        using var model = Classification ? ml.MulticlassClassification.Trainers.Mlp(options).Fit(train) : ml.Regression.Trainers.Mlp(options).Fit(train);
        return (Score(ml, model.Transform(test)), model.Training!.Epochs);
    }

    /// <summary>
    /// Test accuracy of LbfgsMaximumEntropy or R² of Sdca, with ML.NET's defaults except one thread (so the result does
    /// not depend on the core count), each trained in a fresh <c>MLContext(seed: 0)</c> (so its shuffling does not
    /// depend on what the caller's context ran before).
    /// </summary>
    public double Baseline(MLContext ml, IDataView train, IDataView test)
    {
        var own = new MLContext(seed: 0);
        ITransformer model = Classification
            ? own.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 }).Fit(train)
            : own.Regression.Trainers.Sdca(new Microsoft.ML.Trainers.SdcaRegressionTrainer.Options { NumberOfThreads = 1 }).Fit(train);
        return Score(ml, model.Transform(test));
    }

    private double Score(MLContext ml, IDataView scored) => Classification
        ? ml.MulticlassClassification.Evaluate(scored).MicroAccuracy
        : ml.Regression.Evaluate(scored).RSquared;

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }
}
