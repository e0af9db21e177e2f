using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Datasets;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary><c>score</c> and <c>select</c> on an IDX pair (<c>--data IMAGES --labels LABELS</c>).</summary>
[Collection("Console")]
public sealed class ScoreIdxTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string TorchScript = Path.Combine(Fixtures, "fcnn.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-score-idx-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Writes an IDX file: magic 0 0 type rank, big-endian int32 dimensions, then <paramref name="data"/>.</summary>
    private string WriteIdx(string name, byte type, int[] dimensions, byte[] data, bool gzip = false)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        var path = Path.Combine(folder, name);
        if (!gzip) File.WriteAllBytes(path, bytes);
        else
        {
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        return path;
    }

    private static byte[] BigEndianSingles(IEnumerable<float> values)
    {
        var list = values.ToList();
        var bytes = new byte[4 * list.Count];
        for (int i = 0; i < list.Count; i++) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), list[i]);
        return bytes;
    }

    /// <summary>The TorchScript fixture's CSV (4 features, target) as float32 IDX files: images [n, 2, 2], labels [n].</summary>
    private (string Images, string Labels) FixtureAsIdx()
    {
        var rows = File.ReadAllLines(Path.Combine(Fixtures, "data.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        var images = WriteIdx("fixture-images-idx3", 0x0D, new[] { rows.Count, 2, 2 }, BigEndianSingles(rows.SelectMany(r => r[..4])));
        var labels = WriteIdx("fixture-labels-idx1.gz", 0x0D, new[] { rows.Count }, BigEndianSingles(rows.Select(r => r[4])), gzip: true);
        return (images, labels);
    }

    /// <summary>The first <paramref name="count"/> FashionMNIST test images and labels, rewritten as small IDX files (images plain, labels gzip).</summary>
    private (string Images, string Labels) FashionMnistSubset(int count)
    {
        var (images, labels) = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, FashionMnistDataset.DebianDirectory);
        var x = IdxReader.Read(images, count);
        var y = IdxReader.Read(labels, count);
        return (WriteIdx("t64-images-idx3-ubyte", 0x08, new[] { count, 28, 28 }, x.Data),
                WriteIdx("t64-labels-idx1-ubyte.gz", 0x08, new[] { count }, y.Data, gzip: true));
    }

    /// <summary>LeNet-5 trained for one epoch (16 steps of 16) on the first 256 FashionMNIST training images, saved as the example does.</summary>
    private string TrainLeNet(MLContext ml)
    {
        var train = FashionMnistDataset.Load(ml, FashionMnistSplit.Train, maxExamples: 256);
        using var model = ml.MulticlassClassification.Trainers.LeNet5(PaperLeNet()).Fit(train);
        var path = Path.Combine(folder, "lenet.zip");
        SharpnessModelFile.Save(ml, model, train.Schema, path);
        return path;
    }

    private static JsonElement Loss(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Single(i => i.GetProperty("measure").GetString() == "loss");

    [FashionMnistFact]
    public void ASavedLeNetScoredOnAnIdxPairHasNetworkEvaluationsLoss()
    {
        var ml = new MLContext(seed: 0);
        var modelPath = TrainLeNet(ml);
        var (images, labels) = FashionMnistSubset(64);

        var (code, output, error) = CliRunner.Run("score", "--model", modelPath, "--data", images, "--labels", labels,
            "--measure", "weight-l2-norm", "--format", "json");
        Assert.True(code == 0, error);
        var loss = Loss(output);
        Assert.Equal("cross-entropy", loss.GetProperty("details").GetProperty("loss").GetString());
        Assert.Equal(64, loss.GetProperty("details").GetProperty("examples").GetInt32());

        var saved = SharpnessModelFile.Load(ml, modelPath, out _);
        var network = saved.GetNetwork();
        using var disposeNetwork = network;
        var reference = NetworkEvaluation.Evaluate(network, FashionMnistDataset.LoadFiles(ml, images, labels));
        Assert.Equal(64, reference.Count);
        Assert.Equal(reference.MeanLoss, loss.GetProperty("value").GetDouble(), 1e-5);

        // The pixel scaling matters: [0, 1] pixels are not what the model was trained on, and give another loss.
        var (unitCode, unitOutput, unitError) = CliRunner.Run("score", "--model", modelPath, "--data", images, "--labels", labels,
            "--pixels", "unit", "--format", "json");
        Assert.True(unitCode == 0, unitError);
        double unitLoss = Loss(unitOutput).GetProperty("value").GetDouble();
        Assert.True(Math.Abs(unitLoss - reference.MeanLoss) > 1e-2, $"unit {unitLoss}, normalised {reference.MeanLoss}");

        // 2×2 float images (4 values) for the LeNet file, which reads 784.
        var (small, smallLabels) = FixtureAsIdx();
        AssertOneLineNaming(CliRunner.Run("score", "--model", modelPath, "--data", small, "--labels", smallLabels),
            modelPath, small, "784 values", "have 4");
    }

    [Fact]
    public void ATorchScriptModelOnFloatIdxFilesHasTheLossOfTheSameDataAsCsv()
    {
        var (images, labels) = FixtureAsIdx();
        var (code, output, error) = CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "mse",
            "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("measure").GetString()!);
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;
        Assert.Equal(reference.GetProperty("loss").GetDouble(), items["loss"].GetProperty("value").GetDouble(), 1e-6);
        double trace = reference.GetProperty("trace").GetDouble();
        Assert.Equal(trace, items["hessian-trace"].GetProperty("value").GetDouble(), 1e-3 * trace);
    }

    [Fact]
    public void SelectRanksOnAnIdxPair()
    {
        var (images, labels) = FixtureAsIdx();
        var copy = Path.Combine(folder, "copy.pt");
        File.Copy(TorchScript, copy);
        var (code, output, error) = CliRunner.Run("select", "--model", TorchScript, "--model", copy, "--data", images, "--labels", labels,
            "--loss", "mse", "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        var ranking = JsonDocument.Parse(output).RootElement.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal(2, ranking.Count);
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;
        foreach (var row in ranking) Assert.Equal(reference.GetProperty("loss").GetDouble(), row.GetProperty("loss").GetDouble(), 1e-6);
    }

    private static void AssertOneLineNaming((int Code, string Output, string Error) run, params string[] parts)
    {
        Assert.Equal(2, run.Code);
        Assert.Single(run.Error.Trim().Split('\n'));
        foreach (var part in parts) Assert.Contains(part, run.Error);
    }

    [Fact]
    public void ATruncatedImagesFileIsNamed()
    {
        var (images, labels) = FixtureAsIdx();
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..^3]);
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "mse"),
            images, "truncated");
    }

    [Fact]
    public void ACorruptGzipLabelsFileIsNamed()
    {
        var (images, labels) = FixtureAsIdx();
        var bytes = File.ReadAllBytes(labels);
        File.WriteAllBytes(labels, bytes[..(bytes.Length / 2)]);
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "mse"), labels);
    }

    [Fact]
    public void MismatchedCountsNameBothFiles()
    {
        var images = WriteIdx("images", 0x08, new[] { 3, 2, 2 }, new byte[12]);
        var labels = WriteIdx("labels", 0x08, new[] { 2 }, new byte[2]);
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "mse"),
            images, labels, "3 images", "2 labels");
    }

    [Fact]
    public void ImagesOfAnotherWidthAreRefusedWithoutACrash()
    {
        // 28×28 images (784 features) for a TorchScript network that takes 4.
        var images = WriteIdx("wide-images", 0x08, new[] { 2, 28, 28 }, new byte[2 * 784]);
        var labels = WriteIdx("wide-labels", 0x08, new[] { 2 }, new byte[] { 1, 0 });
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "mse"),
            TorchScript, "does not accept inputs with 784 features");
    }

    [Fact]
    public void AModelFileThatReadsCsvColumnsIsRefusedNamingBothFiles()
    {
        // The 4-3-1 model file of the selection tests concatenates the CSV columns a..d: an IDX pair cannot supply them.
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var model = Path.Combine(folder, "mlp.zip");
        ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, 1), raw.Schema, model);
        var images = WriteIdx("ten-images", 0x0D, new[] { 2, 2, 5 }, BigEndianSingles(new float[20]));
        var labels = WriteIdx("ten-labels", 0x0D, new[] { 2 }, BigEndianSingles(new float[] { 0.5f, 1 }));
        var run = CliRunner.Run("score", "--model", model, "--data", images, "--labels", labels);
        Assert.Equal(2, run.Code);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains(model, run.Error);
        Assert.Contains(images, run.Error);
        Assert.Contains("'a'", run.Error);
    }

    [Fact]
    public void AnIdxFileWithoutLabelsAndACsvWithLabelsAreRefused()
    {
        var (images, labels) = FixtureAsIdx();
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--loss", "mse"), images, "--labels");
        AssertOneLineNaming(CliRunner.Run("select", "--model", TorchScript, "--data", images, "--loss", "mse", "--measure", "hessian-trace"),
            images, "--labels");
        var csv = Path.Combine(Fixtures, "data.csv");
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", csv, "--labels", labels, "--loss", "mse"),
            csv, "not an IDX file");
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", csv, "--loss", "mse"), "--label COLUMN is required");
    }

    [Fact]
    public void ClassLabelsBeyondTheModelsOutputsAreNamed()
    {
        // fcnn.pt has 1 output: as a classifier it accepts only class 0.
        var images = WriteIdx("c-images", 0x08, new[] { 2, 2, 2 }, new byte[8]);
        var labels = WriteIdx("c-labels", 0x08, new[] { 2 }, new byte[] { 0, 3 });
        AssertOneLineNaming(CliRunner.Run("score", "--model", TorchScript, "--data", images, "--labels", labels, "--loss", "cross-entropy"),
            labels, "class label 3");
    }

    /// <summary>The seed paper's LeNet-5 training, 1 epoch of batch 16 (the reference numbers above were taken with it).</summary>
    private static LeNet5Options PaperLeNet()
    {
        var options = LeNet5Options.SeedPaperFashionMnist();
        options.MaxEpochs = 1;
        options.BatchSize = 16;
        options.StoppingRelativeChange = -1;
        options.Seed = 1;
        return options;
    }
}
