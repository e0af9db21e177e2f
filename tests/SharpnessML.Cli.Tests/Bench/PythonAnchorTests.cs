using System.Text.Json.Nodes;
using SharpnessML.Cli.Bench;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SharpnessML.Cli.Tests.Bench;

/// <summary>
/// The Python anchors of <c>bench --vs-python</c> compute the same quantities as the library on the same weights and
/// data: the dense Hessian, PyHessian-style power iteration's λ_max, worst-case sharpness by the same fixed-step ascent,
/// and Auto-PGD's value. Skipped (with a message) when /usr/bin/python3 has no torch.
/// </summary>
public sealed class PythonAnchorTests(ITestOutputHelper output)
{
    private static (nn.Module<Tensor, Tensor> Net, SupervisedTensors Data, LossLandscape Landscape) Tiny()
    {
        var spec = new MlpSpec(new[] { 3, 8, 1 }, Activation.Elu);
        var net = TorchRuntime.Seeded(4, () => spec.Build());
        net.eval();
        using var generator = new torch.Generator(11);
        var x = torch.randn(48, 3, generator: generator);
        var y = (x[.., 0] - 0.5 * x[.., 1] * x[.., 2] + 0.1 * torch.randn(48, generator: generator)).contiguous();
        var data = new SupervisedTensors(x, y);
        return (net, data, LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError));
    }

    private PythonAnchor? Start()
    {
        var anchor = PythonAnchor.Start(out var reason);
        if (anchor is null) output.WriteLine($"Skipped: {reason}.");
        return anchor;
    }

    private static double Number(JsonObject reply, string key) => reply[key]!.GetValue<double>();

    [Fact]
    public void TheDenseHessianAndPowerIterationsTopEigenvalueAgreeWithOurs()
    {
        using var python = Start();
        if (python is null) return;
        var (net, data, landscape) = Tiny();
        using (net) using (data)
        {
            Assert.Equal(41, python.Load("tiny", PythonAnchor.Mlp(new MlpSpec(new[] { 3, 8, 1 }, Activation.Elu)), net, data));
            using var all = torch.arange(data.Count, dtype: int64);
            var (eigenvalues, trace) = PythonAnchorRows.DenseReference(landscape, all);
            var dense = python.Send(new { cmd = "dense", model = "tiny" });
            Assert.Equal(trace, Number(dense, "trace"), trace * 1e-4);
            Assert.Equal(eigenvalues[0], Number(dense, "max"), eigenvalues[0] * 1e-4);
            Assert.Equal(eigenvalues[^1], Number(dense, "min"), Math.Abs(eigenvalues[0]) * 1e-4);
            var power = python.Send(new { cmd = "eigenvalues", model = "tiny", top_n = 2, tol = 1e-9, max_iter = 1000, seed = 0 });
            var values = power["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.Equal(eigenvalues[0], values[0], eigenvalues[0] * 1e-3);
            Assert.Equal(eigenvalues[1], values[1], eigenvalues[0] * 1e-3);
            // Hutchinson's estimate is unbiased: 100 probes land within 4 of its standard errors of the exact trace.
            var hutchinson = python.Send(new { cmd = "trace", model = "tiny", max_iter = 100, tol = 0.0, seed = 1 });
            Assert.Equal(100, (int)hutchinson["samples"]!);
            Assert.InRange(Number(hutchinson, "value"), 0.5 * trace, 1.5 * trace);
        }
    }

    [Fact]
    public void WorstCaseSharpnessIsTheSameOnTheSameBatches()
    {
        using var python = Start();
        if (python is null) return;
        var (net, data, landscape) = Tiny();
        using (net) using (data)
        {
            python.Load("tiny", PythonAnchor.Mlp(new MlpSpec(new[] { 3, 8, 1 }, Activation.Elu)), net, data);
            const int batches = 4, batchSize = 16, seed = 3;
            const double rho = 0.05;
            var batchIndices = PythonAnchorRows.Batches(landscape, batchSize, batches, seed);
            // The same iteration on both sides (fixed-step sign ascent from δ = 0): the same value up to float rounding.
            var pga = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions
            {
                Rho = rho, Algorithm = AscentAlgorithm.Pga, StepSize = 0.1, Steps = 10, RandomStart = false, Batches = batches, BatchSize = batchSize, Seed = seed,
            }).Sharpness;
            double pyPga = Number(python.Send(new { cmd = "worst", model = "tiny", batches = batchIndices, rho, steps = 10, algorithm = "pga", random_start = false, step_size = 0.1 }), "value");
            Assert.True(pga > 0);
            Assert.Equal(pga, pyPga, pga * 1e-3);
            // Auto-PGD: tml-epfl's variant of the momentum and the reset differ from Croce & Hein's in detail, so the
            // maxima need not agree to rounding (here, from δ = 0 on a tiny network, they do to 1e-5); both reach the
            // fixed-step ascent's best within 10%.
            var apgd = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions { Rho = rho, Steps = 20, RandomStart = false, Batches = batches, BatchSize = batchSize, Seed = seed }).Sharpness;
            double pyApgd = Number(python.Send(new { cmd = "worst", model = "tiny", batches = batchIndices, rho, steps = 20, algorithm = "apgd", random_start = false }), "value");
            output.WriteLine($"PGA ours {pga:G6}, Python {pyPga:G6}; Auto-PGD ours {apgd:G6}, tml-epfl {pyApgd:G6}");
            Assert.Equal(apgd, pyApgd, apgd * 1e-2);
            Assert.True(apgd >= 0.9 * pga && pyApgd >= 0.9 * pga);
        }
    }

    [Fact]
    public void WithoutAnInterpreterWithTorchTheAnchorsAreSkippedWithTheReason()
    {
        Assert.Null(PythonAnchor.Start(out var missing, "/nonexistent/python3"));
        Assert.Equal("/nonexistent/python3 is not installed", missing);
        // An interpreter that exits at once (no torch, say): no reply to the first command.
        Assert.Null(PythonAnchor.Start(out var failed, "/bin/false"));
        Assert.StartsWith("/bin/false with torch did not start", failed);
    }

    [Fact]
    public void LeNetWeightsAndBatchNormStatisticsReachThePythonSide()
    {
        using var python = Start();
        if (python is null) return;
        using var net = TorchRuntime.Seeded(5, () => LeNet5Spec.Reference.Build());
        using var generator = new torch.Generator(7);
        using (torch.no_grad())
            foreach (var b in net.buffers().Where(b => b.is_floating_point()))
                b.copy_(torch.rand(b.shape, generator: generator) + 0.5);
        net.eval();
        using var data = new SupervisedTensors(torch.rand(16, 784, generator: generator), torch.randint(0, 10, 16, generator: generator));
        python.Load("lenet", PythonAnchor.LeNet(LeNet5Spec.Reference), net, data);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy);
        double ours;
        using (torch.no_grad()) ours = landscape.Loss().item<float>();
        Assert.Equal(ours, Number(python.Send(new { cmd = "loss", model = "lenet" }), "value"), 1e-5);
    }
}
