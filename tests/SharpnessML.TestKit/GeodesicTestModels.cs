using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.TestKit.Geodesic;

/// <summary>A diagonal linear network x ↦ xᵀ(u ⊙ v) (Woodworth et al. 2020; paper Sec. 5.1).</summary>
internal sealed class DiagonalLinearNetwork : nn.Module<Tensor, Tensor>
{
    public DiagonalLinearNetwork(Tensor u, Tensor v) : base(nameof(DiagonalLinearNetwork))
    {
        U = new Parameter(u.clone());
        V = new Parameter(v.clone());
        RegisterComponents();
    }

    public Parameter U { get; }

    public Parameter V { get; }

    public override Tensor forward(Tensor x) => x.matmul(U * V);
}

/// <summary>
/// One multi-head self-attention block with explicit weights, mean-pooled and read out to a scalar:
/// y = mean_t(softmax(Q Kᵀ/√d_h) V W_O) · r with Q = X W_Q, K = X W_K, V = X W_V per head.
/// </summary>
internal sealed class SelfAttentionRegressor : nn.Module<Tensor, Tensor>
{
    public SelfAttentionRegressor(int model, int head, int heads, int seed, ScalarType dtype) : base(nameof(SelfAttentionRegressor))
    {
        using var g = new torch.Generator((ulong)seed);
        int inner = head * heads;
        Tensor Init(long rows, long cols) => torch.randn(rows, cols, generator: g, dtype: float64).to(dtype) / Math.Sqrt(rows);
        Heads = heads;
        Query = new Parameter(Init(model, inner));
        Key = new Parameter(Init(model, inner));
        Value = new Parameter(Init(model, inner));
        Output = new Parameter(Init(inner, model));
        Readout = new Parameter(torch.randn(model, generator: g, dtype: float64).to(dtype));
        RegisterComponents();
    }

    public int Heads { get; }

    public Parameter Query { get; }

    public Parameter Key { get; }

    public Parameter Value { get; }

    public Parameter Output { get; }

    public Parameter Readout { get; }

    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0], t = x.shape[1];
        long head = Query.shape[1] / Heads;
        Tensor Split(Tensor m) => x.matmul(m).reshape(n, t, Heads, head).transpose(1, 2);
        var scores = Split(Query).matmul(Split(Key).transpose(-1, -2)) / Math.Sqrt(head);
        var mixed = scores.softmax(-1).matmul(Split(Value)).transpose(1, 2).reshape(n, t, Heads * head);
        return mixed.matmul(Output).mean(new long[] { 1 }).matmul(Readout);
    }
}

internal static class GeodesicTestModels
{
    /// <summary>
    /// A diagonal network trained by gradient descent on sparse regression (paper Sec. 5.1.1, after
    /// Andriushchenko et al. 2023): X Gaussian n × d with d &gt; n, β* 90% sparse, y = Xβ* + noise.
    /// </summary>
    public static (DiagonalLinearNetwork Network, Tensor X, Tensor Y) TrainedDiagonal(int n = 24, int d = 40, int seed = 1,
        ScalarType dtype = ScalarType.Float32, int steps = 300)
    {
        using var g = new torch.Generator((ulong)seed);
        var x = torch.randn(n, d, generator: g, dtype: float64);
        var beta = torch.zeros(d, dtype: float64);
        var support = torch.randperm(d, generator: g).narrow(0, 0, Math.Max(1, d / 10));
        beta.index_put_(torch.randn(support.shape[0], generator: g, dtype: float64) * 2, support);
        var y = x.matmul(beta) + 0.05 * torch.randn(n, generator: g, dtype: float64);
        var init = 0.3 * torch.ones(d, dtype: float64) + 0.05 * torch.randn(d, generator: g, dtype: float64);
        var net = new DiagonalLinearNetwork(init.to(dtype), init.to(dtype));
        (x, y) = (x.to(dtype), y.to(dtype));
        using var opt = optim.SGD(net.parameters(), 0.01);
        MeanSquaredErrorSteps(net, opt, x, y, steps);
        return (net, x, y);
    }

    /// <summary>The mean squared error over the examples at the given indices.</summary>
    public static LossLandscape Landscape(nn.Module<Tensor, Tensor> net, IReadOnlyList<Parameter> parameters, Tensor x, Tensor y) =>
        new(net, parameters, indices =>
        {
            var xs = indices is null ? x : x.index_select(0, indices);
            var ys = indices is null ? y : y.index_select(0, indices);
            return (net.call(xs) - ys).square().mean();
        }, (int)x.shape[0]);

    /// <summary>Sequences X ∈ ℝ^{n×t×d} labelled by a random teacher block plus noise, and a student trained on them.</summary>
    public static (SelfAttentionRegressor Network, Tensor X, Tensor Y) TrainedAttention(int n = 64, int tokens = 5, int model = 6,
        int head = 2, int heads = 2, int seed = 2, ScalarType dtype = ScalarType.Float32, int steps = 150)
    {
        using var g = new torch.Generator((ulong)seed);
        var x = torch.randn(n, tokens, model, generator: g, dtype: float64).to(dtype);
        var teacher = new SelfAttentionRegressor(model, head, heads, seed + 100, dtype);
        Tensor y;
        using (torch.no_grad()) y = teacher.call(x) + 0.05 * torch.randn(n, generator: g, dtype: float64).to(dtype);
        var net = new SelfAttentionRegressor(model, head, heads, seed, dtype);
        using var opt = optim.Adam(net.parameters(), 0.01);
        MeanSquaredErrorSteps(net, opt, x, y, steps);
        return (net, x, y);
    }

    /// <summary>Full-batch steps of <paramref name="opt"/> on the mean squared error of <paramref name="net"/> on (x, y).</summary>
    private static void MeanSquaredErrorSteps(nn.Module<Tensor, Tensor> net, optim.Optimizer opt, Tensor x, Tensor y, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            (net.call(x) - y).square().mean().backward();
            opt.step();
        }
    }

    /// <summary>A random block-diagonal matrix (one block per head) with singular values in [1/κ, κ] per block.</summary>
    public static Tensor WellConditioned(int head, int heads, double kappa, int seed, ScalarType dtype)
    {
        using var g = new torch.Generator((ulong)seed);
        var blocks = new List<Tensor>();
        for (int i = 0; i < heads; i++)
        {
            var (q1, _) = torch.linalg.qr(torch.randn(head, head, generator: g, dtype: float64));
            var (q2, _) = torch.linalg.qr(torch.randn(head, head, generator: g, dtype: float64));
            var s = torch.exp((torch.rand(head, generator: g, dtype: float64) * 2 - 1) * Math.Log(kappa));
            blocks.Add(q1.matmul(torch.diag(s)).matmul(q2));
        }
        return torch.block_diag(blocks.ToArray()).to(dtype);
    }
}
