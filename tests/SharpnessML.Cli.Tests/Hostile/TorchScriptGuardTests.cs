using System.Text.Json;
using SharpnessML.Transforms.Evaluation;
using static SharpnessML.Cli.Tests.Hostile.HostileCli;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>
/// Issue 16, defects 2 and 5: TorchScript models libtorch would abort the process on (exit 134) or broadcast silently,
/// and models with non-finite weights, are refused with what they return before any measure; <c>select</c> ranks the others.
/// The fixtures are made by <c>Data/hostile/make_hostile_models.py</c> (PyTorch 1.13).
/// </summary>
[Collection("Console")]
public sealed class TorchScriptGuardTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-hostile-torch-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static string Fixture(string name) => Path.Combine(HostileFolder, name);

    [Theory]
    [InlineData("constant.pt", "returns shape [3, 1] of Float32 for a batch of 3 examples that does not depend on its parameters")]
    [InlineData("integer.pt", "returns shape [3, 1] of Int64 for a batch of 3 examples; expected float32 outputs")]
    [InlineData("broadcast.pt", "returns shape [1, 1] of Float32 for a batch of 3 examples; expected [3, 1] or [3], one row per example")]
    [InlineData("nan.pt", "parameter '0.weight' (shape [8, 4]) holds 1 NaN and 0 infinite value(s)")]
    public void AModelEveryMeasureWouldFailOnIsRefusedWithWhatItReturns(string model, string expected)
    {
        // Every measure at once, in a child process: before the guard, 12 of them aborted natively (exit 134).
        var args = new List<string> { "score", "--model", Fixture(model), "--data", Data, "--label", "target", "--loss", "mse" };
        foreach (var name in MeasureRegistry.BuiltIn.Names) args.AddRange(new[] { "--measure", name });
        Assert.True(MeasureRegistry.BuiltIn.Names.Count >= 22);
        var (code, output, error) = RunChild(folder, args.ToArray());
        AssertOneLineError(code, error, $"'{Fixture(model)}'", expected);
        Assert.Equal("", output);
    }

    [Fact]
    public void AModelWhoseCodeRaisesIsNamedWithWhatItRaised()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", Fixture("raises.pt"), "--data", Data, "--label", "target", "--loss", "mse");
        AssertOneLineError(code, error, $"TorchScript model '{Fixture("raises.pt")}': its code failed: builtins.ValueError: this model takes at most 3 examples");
    }

    [Fact]
    public void AModelWithAnUnusedLayerIsMeasuredNotRefused()
    {
        var (code, output, error) = CliRunner.Run("score", "--model", Fixture("unused.pt"), "--data", Data, "--label", "target", "--loss", "mse",
            "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        Assert.True(JsonDocument.Parse(output).RootElement[1].GetProperty("value").GetDouble() > 0);
    }

    [Fact]
    public void SelectReportsFailedCandidatesAndRanksTheOthers()
    {
        foreach (var name in new[] { "constant.pt", "nan.pt", "raises.pt", "unused.pt" }) File.Copy(Fixture(name), Path.Combine(folder, name));
        File.Copy(Model, Path.Combine(folder, "fcnn.pt"));
        var (code, output, error) = CliRunner.Run("select", "--models-dir", folder, "--data", Data, "--label", "target", "--loss", "mse",
            "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(new[] { "unused.pt", "fcnn.pt" }, root.GetProperty("ranking").EnumerateArray().Select(r => r.GetProperty("model").GetString()));
        var failed = root.GetProperty("failed").EnumerateArray().ToList();
        Assert.Equal(new[] { "constant.pt", "nan.pt", "raises.pt" }, failed.Select(f => f.GetProperty("model").GetString()));
        Assert.Contains("does not depend on its parameters", failed[0].GetProperty("error").GetString());
        Assert.Contains("this model takes at most 3 examples", failed[2].GetProperty("error").GetString()); // raised inside libtorch, after the probe
        var warnings = error.Trim().Split('\n');
        Assert.Equal(3, warnings.Length);
        Assert.StartsWith("sharpnessml: warning: candidate 'constant.pt' failed and is not ranked: ", warnings[0]);
        Assert.StartsWith("sharpnessml: warning: candidate 'nan.pt' failed and is not ranked: ", warnings[1]);
        Assert.StartsWith("sharpnessml: warning: candidate 'raises.pt' failed and is not ranked: ", warnings[2]);

        // Every candidate failing is an error: one line, exit 2.
        var bad = Directory.CreateDirectory(Path.Combine(folder, "bad")).FullName;
        File.Copy(Fixture("broadcast.pt"), Path.Combine(bad, "broadcast.pt"));
        (code, _, error) = CliRunner.Run("select", "--models-dir", bad, "--data", Data, "--label", "target", "--loss", "mse", "--measure", "hessian-trace");
        AssertOneLineError(code, error, "broadcast.pt", "one row per example");
    }
}
