using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using SharpnessML.Transforms.Evaluation;
using static SharpnessML.Cli.Tests.Hostile.HostileCli;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>
/// Issue 16, defect 5 (numbers that are numbers) and the CSV parser: cells finite as 32-bit floats, settings in their
/// ranges, study files without duplicate keys or scalar axes, quoted CSV fields, and a --label the model would ignore.
/// </summary>
[Collection("Console")]
public sealed class NumberTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-hostile-numbers-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ACellBeyondTheRangeOfSingleIsRefusedNamingFileLineAndColumn()
    {
        var csv = Path.Combine(folder, "big.csv");
        File.WriteAllLines(csv, new[] { "a,b,c,d,target", "1,2,3,4,5", "1,2,1e39,4,5" });
        var (code, _, error) = CliRunner.Run("score", "--model", Model, "--data", csv, "--label", "target", "--loss", "mse");
        AssertOneLineError(code, error, $"{csv}:3: column 'c' holds '1e39', beyond the range of a 32-bit float");
    }

    [Theory]
    [InlineData("dup.json", """{ "dataset": "abalone", "name": "a", "name": "b", "grid": { "learningRate": [0.1, 0.2, 0.3] } }""", "key 'name' appears twice")]
    [InlineData("dup-measure.json", """{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0.2, 0.3] }, "measures": [{ "name": "renyi", "rho": 1, "rho": 2 }] }""", "key 'measures[0].rho' appears twice")]
    [InlineData("dup.yaml", "dataset: abalone\nname: a\nname: b\ngrid:\n  learningRate: [0.1, 0.2, 0.3]\n", "the key 'name' appears twice")]
    [InlineData("scalar.json", """{ "dataset": "abalone", "grid": { "learningRate": 0.1, "replicate": [0, 1, 2] } }""", "grid.learningRate must be an array of values, e.g. [0.1]")]
    [InlineData("scalar.yaml", "dataset: abalone\ngrid:\n  learningRate: 0.1\n  replicate: [0, 1, 2]\n", "grid.learningRate must be an array of values")]
    [InlineData("dropout.json", """{ "dataset": "fashion-mnist", "grid": { "dropout": [0.1, 2.0, 0.3] } }""", "grid axis 'dropout' has an invalid value '2'; it must be a probability in [0, 1)")]
    [InlineData("lr.json", """{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0, 0.3] } }""", "grid axis 'learningRate' has an invalid value '0'; it must be positive")]
    [InlineData("single.json", """{ "dataset": "abalone", "grid": { "weightDecay": [0, 1e39, 1] } }""", "grid axis 'weightDecay' has an invalid value '1E+39'")]
    [InlineData("momentum.json", """{ "dataset": "abalone", "grid": { "momentum": [0, 0.9, 1.5] } }""", "grid axis 'momentum' has an invalid value '1.5'; it must be in [0, 1)")]
    [InlineData("noise.json", """{ "dataset": "cora", "grid": { "labelNoise": [0, 0.5, 2] } }""", "grid axis 'labelNoise' has an invalid value '2'")]
    [InlineData("rho.json", """{ "dataset": "abalone", "grid": { "replicate": [0, 1, 2] }, "measures": [{ "name": "adaptive-worst-linf", "rho": 1e308 }] }""", "rho must be positive and at most 1000")]
    [InlineData("seed.json", """{ "dataset": "abalone", "baseSeed": 2147483647, "grid": { "replicate": [0, 1, 2] } }""", "overflows a 32-bit seed; use a seed of at most 2147483645")]
    [InlineData("measure-seed.json", """{ "dataset": "abalone", "grid": { "seed": [0, 1, 2] }, "measures": [{ "name": "weight-l2-norm", "seed": 2147483647 }] }""", "measure weight-l2-norm's seed 2147483647 plus member seeds 0..2 overflows a 32-bit seed")]
    public void AStudyFileWithABadValueIsRefusedNamingIt(string fileName, string text, string expected)
    {
        var study = Path.Combine(folder, fileName);
        File.WriteAllText(study, text);
        var before = Snapshot(folder);
        var (code, _, error) = CliRunner.Run("study", "run", study, "--out", Path.Combine(folder, "out"));
        AssertOneLineError(code, error, $"Study file {study}", expected);
        Assert.Equal(before, Snapshot(folder));
    }

    [Fact]
    public void QuotedHeadersAndFieldsAreRead()
    {
        // The fixture's rows with a quoted header (a comma and a doubled quote in names) and quoted numbers: the same model, the same numbers.
        var lines = File.ReadAllLines(Data);
        var quoted = Path.Combine(folder, "quoted.csv");
        File.WriteAllLines(quoted, new[] { "\"α,β\",b,\"c \"\"3\"\"\", d ,\"target\"" }
            .Concat(lines.Skip(1).Select((l, i) => i % 2 == 0 ? string.Join(',', l.Split(',').Select(f => $"\"{f}\"")) : l)));
        double Loss(string csv, out double trace)
        {
            var (code, output, error) = CliRunner.Run("score", "--model", Model, "--data", csv, "--label", "target", "--loss", "mse", "--measure", "hessian-trace", "--format", "json");
            Assert.True(code == 0, error);
            var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
            trace = items[1].GetProperty("value").GetDouble();
            return items[0].GetProperty("value").GetDouble();
        }
        Assert.Equal(Loss(Data, out var trace), Loss(quoted, out var quotedTrace));
        Assert.Equal(trace, quotedTrace);

        // A column named with a comma can be the label.
        var (labelCode, _, labelError) = CliRunner.Run("score", "--model", Model, "--data", quoted, "--label", "α,β", "--loss", "mse");
        Assert.True(labelCode == 0, labelError);
    }

    [Fact]
    public void ALabelAModelFileWouldIgnoreIsRefused()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var model = Path.Combine(folder, "model.zip");
        ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, 1), raw.Schema, model);
        var lines = File.ReadAllLines(Data);
        var csv = Path.Combine(folder, "extra.csv");
        File.WriteAllLines(csv, new[] { lines[0] + ",other" }.Concat(lines.Skip(1).Select((l, i) => l + "," + i.ToString(CultureInfo.InvariantCulture))));
        var (code, _, error) = CliRunner.Run("score", "--model", model, "--data", csv, "--label", "other");
        AssertOneLineError(code, error, "--label 'other' is not the label of model file", "reads its label from column 'target'", "give --label target");
        (code, _, error) = CliRunner.Run("score", "--model", model, "--data", csv, "--label", "target");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void AModelFileReadsQuotedFieldsAsTheSameNumbers()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var model = Path.Combine(folder, "model.zip");
        ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, 1), raw.Schema, model);
        var lines = File.ReadAllLines(Data);
        var quoted = Path.Combine(folder, "quoted.csv");
        File.WriteAllLines(quoted, new[] { string.Join(',', lines[0].Split(',').Select(h => $"\"{h}\"")) }
            .Concat(lines.Skip(1).Select(l => string.Join(',', l.Split(',').Select(f => $"\"{f}\"")))));
        double Loss(string csv)
        {
            var (code, output, error) = CliRunner.Run("score", "--model", model, "--data", csv, "--label", "target", "--format", "json");
            Assert.True(code == 0, error);
            return JsonDocument.Parse(output).RootElement[0].GetProperty("value").GetDouble();
        }
        Assert.Equal(Loss(Data), Loss(quoted));
    }

    [Fact]
    public void AModelFileWithNaNWeightsIsRefusedNamingTheTensor()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var model = Path.Combine(folder, "nan.zip");
        ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, double.NaN), raw.Schema, model);
        var (code, _, error) = CliRunner.Run("score", "--model", model, "--data", Data, "--label", "target", "--measure", "hessian-top-eigenvalues");
        AssertOneLineError(code, error, $"Model file '{model}': parameter '", "NaN");
    }
}
