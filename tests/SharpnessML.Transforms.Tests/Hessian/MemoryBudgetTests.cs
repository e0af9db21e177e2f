using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static SharpnessML.TestKit.HessianTestModels;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Hessian;

/// <summary>The operator's choice between kept gradient graphs and per-chunk recomputation (<see cref="HessianOptions.MemoryBudgetBytes"/>).</summary>
public class MemoryBudgetTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void ATinyBudgetRecomputesPerChunkAndGivesTheKeptGraphsProducts(string network)
    {
        var landscape = network == "mlp" ? TinyMlp().Landscape : TinyCnn().Landscape; // 40 and 30 examples
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        const int chunk = 7; // unequal chunks
        int parts = (landscape.ExampleCount + chunk - 1) / chunk;
        using var kept = new HessianOperator(landscape, chunkSize: chunk, reuseGradientGraph: true);
        using var recomputed = new HessianOperator(landscape, chunkSize: chunk, reuseGradientGraph: true, memoryBudgetBytes: 1);
        var oneShot = new HessianOperator(landscape); // all examples in one part, nothing kept
        Assert.Null(kept.Plan);
        var generator = new torch.Generator(3);
        for (int k = 0; k < 3; k++)
        {
            using var scope = torch.NewDisposeScope();
            var v = torch.randn(kept.Dimension, dtype: float64, generator: generator);
            var a = kept.Multiply(v);
            var b = recomputed.Multiply(v);
            var c = oneShot.Multiply(v);
            // Both plans sum the same chunks in the same order: the same bits.
            Assert.Equal(0, (a - b).abs().max().item<double>()); // product k: kept and recomputed graphs
            Assert.True((a - c).norm().item<double>() <= 1e-6 * c.norm().item<double>(), $"product {k}: chunked and one-shot products differ");
        }

        Assert.Equal(new HessianProductPlan(true, parts, kept.Plan!.EstimatedGraphBytes, HessianOptions.DefaultMemoryBudgetBytes), kept.Plan);
        Assert.False(recomputed.Plan!.ReusesGradientGraph);
        Assert.Equal(parts, recomputed.Plan.Parts);
        // The first chunk's graph holds at least its activations and g (one float per parameter), scaled to the data.
        long floor = 4 * kept.Dimension;
        Assert.True(kept.Plan.EstimatedGraphBytes >= floor, $"estimate {kept.Plan.EstimatedGraphBytes} B, below g's {floor} B");
        Assert.True(kept.Plan.EstimatedGraphBytes < 64L << 20, $"estimate {kept.Plan.EstimatedGraphBytes} B for a tiny network");
        Assert.StartsWith("reused", kept.Plan.Description);
        Assert.StartsWith("recomputed per chunk", recomputed.Plan.Description);
    }

    [Fact]
    public void TheMeasuresReportTheirPlanAndGiveTheSameNumbersEitherWay()
    {
        var (landscape, _) = Mlp(new[] { 6, 10, 4 }, 50, seed: 7);
        var generous = new HutchinsonOptions { MaxSamples = 12, Tolerance = 0, ChunkSize = 16 };
        var tiny = new HutchinsonOptions { MaxSamples = 12, Tolerance = 0, ChunkSize = 16, MemoryBudgetBytes = 0 };
        var a = HessianMeasures.Trace(landscape, generous);
        var b = HessianMeasures.Trace(landscape, tiny);
        Assert.Equal(a.Value, b.Value);
        Assert.Equal(a.StandardError, b.StandardError);
        Assert.True(a.ProductPlan!.ReusesGradientGraph);
        Assert.False(b.ProductPlan!.ReusesGradientGraph);
        Assert.Equal(4, b.ProductPlan.Parts);
        Assert.Contains(b.Details(), d => d.Key == "hvp_graph" && ((string)d.Value).StartsWith("recomputed per chunk", StringComparison.Ordinal));

        // Data within one chunk is always one kept graph, whatever the budget: the peak is that graph either way.
        var single = HessianMeasures.TopEigenvalues(landscape, new LanczosOptions { MemoryBudgetBytes = 0 });
        Assert.True(single.ProductPlan!.ReusesGradientGraph);
        Assert.Equal(1, single.ProductPlan.Parts);
    }

    [Fact]
    public void ANegativeBudgetIsRefused()
    {
        var (landscape, _) = TinyMlp();
        Assert.Throws<ArgumentOutOfRangeException>(() => new HessianOperator(landscape, memoryBudgetBytes: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianMeasures.Trace(landscape, new HutchinsonOptions { MemoryBudgetBytes = -1 }));
    }
}
