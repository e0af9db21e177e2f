using SharpnessML.Trainers;
using SharpnessML.Trainers.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.Graphs;

public class GatLayerTests
{
    // A 6-node graph: a path 0-1-2-3, a triangle 3-4-5, node 2 also linked to 5; self-loops added.
    private static readonly (int, int)[] Pairs = { (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 3), (2, 5) };
    private const int Nodes = 6;

    [Theory]
    [InlineData(3, true)]
    [InlineData(2, false)]
    [InlineData(1, false)]
    public void TheEdgeListLayerMatchesAHandComputedDenseReference(int heads, bool concat)
    {
        using var scope = torch.NewDisposeScope();
        var layer = TorchRuntime.Seeded(5, () => new GatLayer(4, 3, heads, concat));
        layer.to(float64);
        using (torch.no_grad()) layer.Bias.copy_(torch.linspace(-0.5, 0.5, layer.Bias.shape[0], dtype: float64));
        layer.eval();
        using var g = new torch.Generator(1);
        var x = torch.randn(Nodes, 4, generator: g, dtype: float64);
        var edges = EdgeIndex.FromUndirectedPairs(Nodes, Pairs);

        var actual = layer.call(x, edges);
        var expected = HandComputed(layer, x, Pairs, out var expectedAlpha);
        Assert.Equal(new long[] { Nodes, concat ? heads * 3 : 3 }, actual.shape);
        var a = actual.data<double>().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(expected[i], a[i], 12);

        var alpha = layer.AttentionCoefficients(x, edges);
        var source = edges[0].data<long>().ToArray();
        var target = edges[1].data<long>().ToArray();
        for (int e = 0; e < source.Length; e++)
            for (int k = 0; k < heads; k++)
                Assert.Equal(expectedAlpha[k, target[e], source[e]], alpha[e, k].item<double>(), 12);
    }

    [Fact]
    public void AttentionOfEveryTargetSumsToOneOverItsIncomingEdges()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator(2);
        const int n = 200;
        var pairs = Enumerable.Range(0, 800).Select(_ => ((int)torch.randint(0, n, new long[] { 1 }, generator: g).item<long>(),
                                                           (int)torch.randint(0, n, new long[] { 1 }, generator: g).item<long>())).ToList();
        var edges = EdgeIndex.FromUndirectedPairs(n, pairs);
        var layer = TorchRuntime.Seeded(3, () => new GatLayer(10, 4, 8, concat: true));
        var x = torch.randn(n, 10, generator: g) * 5;
        var alpha = layer.AttentionCoefficients(x, edges);
        Assert.True(alpha.ge(0).all().item<bool>());
        var sums = torch.zeros(n, 8).index_add(0, edges[1], alpha, 1);
        Assert.True(torch.allclose(sums, torch.ones(n, 8), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void OutputsAndGradientsMatchADenseMaskedSoftmaxImplementation()
    {
        // The edge-list layer subtracts per-target maxima computed outside autograd; the dense
        // version differentiates the plain masked softmax, so equal gradients show nothing is lost.
        using var scope = torch.NewDisposeScope();
        var network = TorchRuntime.Seeded(9, () => new GatSpec(5, 3, HiddenUnitsPerHead: 4, Heads: 3, OutputHeads: 2).Build());
        network.to(float64);
        network.eval();
        using var g = new torch.Generator(4);
        var x = torch.randn(Nodes, 5, generator: g, dtype: float64);
        var edges = EdgeIndex.FromUndirectedPairs(Nodes, Pairs);
        var mask = torch.zeros(Nodes, Nodes, dtype: @bool);
        mask.index_put_(torch.tensor(true), edges[1], edges[0]);
        var weights = torch.randn(Nodes, 3, generator: g, dtype: float64);
        var parameters = network.parameters().ToArray();

        var sparse = network.call(x, edges);
        var sparseGrad = torch.autograd.grad(new[] { (sparse * weights).sum() }, parameters);
        var dense = DenseLayer(network.Output, nn.functional.elu(DenseLayer(network.Hidden, x, mask), 1.0, false), mask);
        var denseGrad = torch.autograd.grad(new[] { (dense * weights).sum() }, parameters);

        Assert.True(torch.allclose(sparse, dense, rtol: 1e-12, atol: 1e-12));
        for (int i = 0; i < parameters.Length; i++)
            Assert.True(torch.allclose(sparseGrad[i], denseGrad[i], rtol: 1e-10, atol: 1e-12), $"gradient of parameter {i} differs");
    }

    [Fact]
    public void DropoutOnlyActsInTrainingModeAndFollowsTheGenerator()
    {
        using var scope = torch.NewDisposeScope();
        using var graph = CoraDataset.Load();
        var network = TorchRuntime.Seeded(1, () => new GatSpec(graph.FeatureCount, graph.ClassCount, Heads: 1).Build());
        network.eval();
        var a = network.call(graph.Features, graph.EdgeIndex);
        var b = network.call(graph.Features, graph.EdgeIndex);
        Assert.True(TensorAssert.SameValues(a, b));

        network.train();
        Tensor Sample(ulong seed)
        {
            using var generator = new torch.Generator(seed);
            network.DropoutGenerator = generator;
            try { return network.call(graph.Features, graph.EdgeIndex); }
            finally { network.DropoutGenerator = null; }
        }
        Assert.True(TensorAssert.SameValues(Sample(7), Sample(7)));
        Assert.False(TensorAssert.SameValues(Sample(7), Sample(8)));
        Assert.False(TensorAssert.SameValues(Sample(7), a));
    }

    /// <summary>Eqs. 1–6 of Veličković et al. (2018) with plain loops over a dense adjacency.</summary>
    private static double[] HandComputed(GatLayer layer, Tensor x, (int, int)[] pairs, out double[,,] alpha)
    {
        int n = (int)x.shape[0], f = layer.InputSize, fo = layer.OutputSize, heads = layer.Heads;
        var adjacency = new bool[n, n];
        for (int i = 0; i < n; i++) adjacency[i, i] = true;
        foreach (var (u, v) in pairs) adjacency[u, v] = adjacency[v, u] = true;
        var w = layer.Weight.detach().data<double>().ToArray();          // [K·F′, F]
        var aSource = layer.AttentionSource.detach().data<double>().ToArray(); // [K, F′]
        var aTarget = layer.AttentionTarget.detach().data<double>().ToArray();
        var bias = layer.Bias.detach().data<double>().ToArray();
        var xs = x.data<double>().ToArray();
        var wh = new double[heads, n, fo];
        for (int k = 0; k < heads; k++)
            for (int i = 0; i < n; i++)
                for (int o = 0; o < fo; o++)
                {
                    double s = 0;
                    for (int c = 0; c < f; c++) s += w[(k * fo + o) * f + c] * xs[i * f + c];
                    wh[k, i, o] = s;
                }
        alpha = new double[heads, n, n];
        var result = new double[n, heads, fo];
        for (int k = 0; k < heads; k++)
            for (int i = 0; i < n; i++)
            {
                var e = new double[n];
                double denominator = 0;
                for (int j = 0; j < n; j++)
                {
                    if (!adjacency[i, j]) continue;
                    double z = 0;
                    for (int o = 0; o < fo; o++) z += aTarget[k * fo + o] * wh[k, i, o] + aSource[k * fo + o] * wh[k, j, o];
                    e[j] = Math.Exp(z > 0 ? z : 0.2 * z);
                    denominator += e[j];
                }
                for (int j = 0; j < n; j++)
                {
                    if (!adjacency[i, j]) continue;
                    alpha[k, i, j] = e[j] / denominator;
                    for (int o = 0; o < fo; o++) result[i, k, o] += alpha[k, i, j] * wh[k, j, o];
                }
            }
        var output = new List<double>();
        for (int i = 0; i < n; i++)
        {
            if (layer.Concat)
                for (int k = 0; k < heads; k++)
                    for (int o = 0; o < fo; o++) output.Add(result[i, k, o] + bias[k * fo + o]);
            else
                for (int o = 0; o < fo; o++)
                {
                    double mean = 0;
                    for (int k = 0; k < heads; k++) mean += result[i, k, o] / heads;
                    output.Add(mean + bias[o]);
                }
        }
        return output.ToArray();
    }

    /// <summary>The same layer with a dense [K, N, N] masked softmax (mask[i, j] = edge j→i).</summary>
    private static Tensor DenseLayer(GatLayer layer, Tensor x, Tensor mask)
    {
        long n = x.shape[0];
        var h = x.matmul(layer.Weight.t()).view(n, layer.Heads, layer.OutputSize).transpose(0, 1);
        var source = (h * layer.AttentionSource.unsqueeze(1)).sum(-1);
        var target = (h * layer.AttentionTarget.unsqueeze(1)).sum(-1);
        var scores = nn.functional.leaky_relu(target.unsqueeze(2) + source.unsqueeze(1), layer.NegativeSlope);
        var alpha = scores.masked_fill(mask.logical_not(), double.NegativeInfinity).softmax(-1);
        var output = alpha.matmul(h).transpose(0, 1);
        output = layer.Concat ? output.reshape(n, -1) : output.mean(new long[] { 1 });
        return output + layer.Bias;
    }
}
