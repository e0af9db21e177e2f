using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests;

public class TorchSharpLoadsTests
{
    [Fact]
    public void TensorsAndAutogradWork()
    {
        using var x = torch.tensor(new[] { 1f, 2f, 3f }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 2f, 4f, 6f }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void DoubleBackwardGivesTheHessianVectorProduct()
    {
        // f(x) = x0² x1 + x1³ → H = [[2x1, 2x0], [2x0, 6x1]]; at (1, 2), H·(1, 0) = (4, 2).
        using var x = torch.tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var f = x[0] * x[0] * x[1] + x[1].pow(3);
        var g = torch.autograd.grad(new[] { f }, new[] { x }, retain_graph: true, create_graph: true)[0];
        var v = torch.tensor(new[] { 1.0, 0.0 });
        var hv = torch.autograd.grad(new[] { (g * v).sum() }, new[] { x })[0];
        Assert.Equal(new[] { 4.0, 2.0 }, hv.data<double>().ToArray());
    }

    [Fact]
    public void TorchErrorsSurfaceAsDotNetExceptions()
    {
        using var a = torch.ones(2, 3);
        using var b = torch.ones(4, 5);
        // Addition has a try/catch in the native layer, so a shape mismatch becomes an exception.
        var e = Assert.ThrowsAny<Exception>(() => a + b);
        Assert.Contains("size", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
