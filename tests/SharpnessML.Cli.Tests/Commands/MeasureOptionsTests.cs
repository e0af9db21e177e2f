using System.Text.Json;
using SharpnessML.Cli.Commands;
using static SharpnessML.Cli.Tests.Hostile.HostileCli;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary>The measure settings score and select expose (<see cref="MeasureOptions"/>): each reaches the measures, each bad value is one line, exit 2.</summary>
[Collection("Console")]
public sealed class MeasureOptionsTests
{
    private static readonly string[] Score = { "score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse" };
    private static readonly string[] Select = { "select", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--measure", "hessian-trace" };

    private static Dictionary<string, JsonElement> ScoreJson(params string[] args)
    {
        int threads = TorchSharp.torch.get_num_threads();
        try
        {
            var (code, output, error) = CliRunner.Run(Score.Concat(args).Concat(new[] { "--format", "json" }).ToArray());
            Assert.True(code == 0, error);
            return JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("measure").GetString()!, i => i.Clone());
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads); // --threads is the process's: give the test host its own back
        }
    }

    [Fact]
    public void EachSettingReachesTheMeasuresThatTakeIt()
    {
        // The fixture FCNN has 49 parameters and 40 examples; hessian-trace-hutchpp is stochastic at any size.
        var items = ScoreJson("--measure", "hessian-top-eigenvalues", "--measure", "hessian-density", "--measure", "hessian-trace-hutchpp",
            "--eigenvalues", "2", "--slq-vectors", "3", "--tolerance", "0.5", "--chunk-size", "16", "--memory-budget", "0", "--threads", "1", "--seed", "3");
        var eigen = items["hessian-top-eigenvalues"].GetProperty("details");
        Assert.Equal(2, eigen.GetProperty("eigenvalues").GetArrayLength());
        // Three chunks of at most 16 examples, no budget: every product recomputes each chunk's graph.
        Assert.StartsWith("recomputed per chunk (3 parts", eigen.GetProperty("hvp_graph").GetString());
        var density = items["hessian-density"].GetProperty("details");
        Assert.InRange(density.GetProperty("start_vectors").GetInt32(), 1, 3);
        var hutchpp = items["hessian-trace-hutchpp"].GetProperty("details");
        Assert.True(hutchpp.GetProperty("relative_stderr").GetDouble() <= 0.5);
        Assert.True(hutchpp.GetProperty("hvps").GetInt32() < 100, "a tolerance of 50% stops Hutch++ before its budget of 100");

        // The defaults: five eigenvalues (no more than 49), ten start vectors, one kept graph.
        var defaults = ScoreJson("--measure", "hessian-top-eigenvalues", "--measure", "hessian-density");
        Assert.Equal(5, defaults["hessian-top-eigenvalues"].GetProperty("details").GetProperty("eigenvalues").GetArrayLength());
        Assert.Equal(10, defaults["hessian-density"].GetProperty("details").GetProperty("start_vectors").GetInt32());
        Assert.StartsWith("reused (1 part", defaults["hessian-density"].GetProperty("details").GetProperty("hvp_graph").GetString());
    }

    [Fact]
    public void PerturbationSettingsReachTheirMeasures()
    {
        var items = ScoreJson("--measure", "adaptive-worst-linf", "--batch-size", "8", "--batches", "2", "--steps", "3", "--rho", "0.01");
        var details = items["adaptive-worst-linf"].GetProperty("details");
        Assert.Equal((8, 2, 3, 0.01), (details.GetProperty("batch_size").GetInt32(), details.GetProperty("batches").GetInt32(),
            details.GetProperty("steps").GetInt32(), details.GetProperty("rho").GetDouble()));
    }

    [Theory]
    [InlineData("--threads must be at least 1; got 0", "--threads", "0")]
    [InlineData("--batch-size must be at least 1; got 0", "--batch-size", "0")]
    [InlineData("--batches must be at least 1; got -2", "--batches", "-2")]
    [InlineData("--steps must be at least 1; got 0", "--steps", "0")]
    [InlineData("--eigenvalues must be at least 1; got 0", "--eigenvalues", "0")]
    [InlineData("--slq-vectors must be at least 1; got 0", "--slq-vectors", "0")]
    [InlineData("--chunk-size must be at least 1; got 0", "--chunk-size", "0")]
    [InlineData("--tolerance must be a relative standard error in [0, 1)", "--tolerance", "1.5")]
    [InlineData("--tolerance must be a relative standard error in [0, 1)", "--tolerance", "-0.1")]
    [InlineData("--tolerance must be a relative standard error in [0, 1)", "--tolerance", "NaN")]
    [InlineData("--memory-budget must be a size in bytes such as 1073741824, 512M or 1G; got '-5M'", "--memory-budget", "-5M")]
    [InlineData("--memory-budget must be a size in bytes such as 1073741824, 512M or 1G; got 'lots'", "--memory-budget", "lots")]
    [InlineData("--memory-budget must be a size in bytes such as 1073741824, 512M or 1G; got '1e30G'", "--memory-budget", "1e30G")]
    [InlineData("for option '--eigenvalues'", "--eigenvalues", "many")]
    public void ABadValueIsOneLineAndExitCode2OnScoreAndSelect(string expected, string option, string value)
    {
        foreach (var command in new[] { Score.Append("--measure").Append("hessian-trace"), Select })
        {
            var (code, output, error) = CliRunner.Run(command.Concat(new[] { option, value }).ToArray());
            AssertOneLineError(code, error, expected);
            Assert.Equal("", output);
        }
    }

    [Theory]
    [InlineData("1073741824", 1L << 30)]
    [InlineData("1G", 1L << 30)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("64 KB", 64L << 10)]
    [InlineData("0", 0L)]
    public void MemoryBudgetsReadBinaryUnits(string text, long bytes) => Assert.Equal(bytes, MeasureOptions.ParseBytes(text));
}
