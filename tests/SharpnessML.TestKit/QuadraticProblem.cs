using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.TestKit;

/// <summary>L(w) = ½ wᵀAw + bᵀw in float64 on two parameters; ∇L = Aw + b. Reference updates are plain arithmetic.</summary>
internal sealed class QuadraticProblem : IDisposable
{
    public static readonly double[,] A = { { 2.0, 0.5 }, { 0.5, 1.0 } };
    public static readonly double[] B = { -1.0, 0.5 };
    public static readonly double[] Start = { 1.0, -2.0 };

    private readonly Tensor a = torch.tensor(new[] { 2.0, 0.5, 0.5, 1.0 }, new long[] { 2, 2 }, float64);
    private readonly Tensor b = torch.tensor(B, float64);
    private readonly Tensor half = torch.tensor(0.5, float64);

    public QuadraticProblem(double[]? start = null) =>
        W = new Parameter(torch.tensor(start ?? Start, float64));

    public Parameter W { get; }

    public static double[] Gradient(double[] w) =>
        new[] { A[0, 0] * w[0] + A[0, 1] * w[1] + B[0], A[1, 0] * w[0] + A[1, 1] * w[1] + B[1] };

    /// <summary>L(W), attached to the graph.</summary>
    public Tensor Loss() => W.dot(a.mv(W)).mul(half).add(b.dot(W));

    /// <summary>The closure the training loop would pass: zero the gradients, forward, loss, backward.</summary>
    public Func<Tensor> Closure(optim.Optimizer optimizer) => () =>
    {
        optimizer.zero_grad();
        var loss = Loss();
        loss.backward();
        return loss;
    };

    public double[] Values() => W.detach().data<double>().ToArray();

    public void Dispose()
    {
        W.Dispose();
        a.Dispose();
        b.Dispose();
        half.Dispose();
    }
}

/// <summary>Hand-written reference optimizers on double arrays.</summary>
internal static class Reference
{
    public static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    public static double[] Axpy(double[] x, double alpha, double[] y) => x.Select((v, i) => v + alpha * y[i]).ToArray();

    /// <summary>SAM's perturbation ρ g / ‖g‖.</summary>
    public static double[] SamPerturbation(double[] g, double rho) => g.Select(v => rho * v / (Norm(g) + 1e-12)).ToArray();

    /// <summary>ASAM's perturbation ρ T²g / ‖Tg‖ with T = |w| + η.</summary>
    public static double[] AsamPerturbation(double[] w, double[] g, double rho, double eta)
    {
        var t = w.Select(x => Math.Abs(x) + eta).ToArray();
        var tg = g.Select((v, i) => t[i] * v).ToArray();
        double norm = Norm(tg) + 1e-12;
        return tg.Select((v, i) => rho * t[i] * v / norm).ToArray();
    }
}

/// <summary>SGD with momentum μ (PyTorch's form: buf = μ buf + g, first buf = g; w −= lr buf).</summary>
internal sealed class ReferenceSgd(double lr, double momentum)
{
    private double[]? buffer;

    public double[] Step(double[] w, double[] g)
    {
        buffer = buffer is null ? (double[])g.Clone() : buffer.Select((v, i) => momentum * v + g[i]).ToArray();
        return Reference.Axpy(w, -lr, buffer);
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter, 2019): w ← w(1 − lr·λ) − lr m̂ / (√v̂ + ε).</summary>
internal sealed class ReferenceAdamW(double lr, double beta1, double beta2, double eps, double decay)
{
    private double[]? m, v;
    private int t;

    public double[] Step(double[] w, double[] g)
    {
        t++;
        m = (m ?? new double[w.Length]).Select((x, i) => beta1 * x + (1 - beta1) * g[i]).ToArray();
        v = (v ?? new double[w.Length]).Select((x, i) => beta2 * x + (1 - beta2) * g[i] * g[i]).ToArray();
        double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
        return w.Select((x, i) => x * (1 - lr * decay) - lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps)).ToArray();
    }
}
