using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static SharpnessML.TestKit.HessianTestModels;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Hessian;

public class MeasureStateTests
{
    private static readonly Dictionary<string, Action<LossLandscape>> Measures = new()
    {
        ["lanczos"] = l => HessianMeasures.TopEigenvalues(l, new LanczosOptions { Count = 2 }),
        ["power"] = l => HessianMeasures.TopEigenvaluesByPowerIteration(l, new PowerIterationOptions { MaxIterations = 20 }),
        ["hutchinson"] = l => HessianMeasures.Trace(l, new HutchinsonOptions { MaxSamples = 10, BatchSize = 8 }),
        ["hutch++"] = l => HessianMeasures.TraceHutchPlusPlus(l, new HutchPlusPlusOptions { Budget = 9, ChunkSize = 7 }),
        ["diagonal"] = l => HessianMeasures.Diagonal(l, new DiagonalOptions { Samples = 5 }),
        ["density"] = l => HessianMeasures.SpectralDensity(l, new SpectralDensityOptions { StartVectors = 2, Iterations = 10, GridPoints = 50 }),
        ["renyi"] = l => HessianMeasures.RenyiSharpness(l, new RenyiSharpnessOptions { StartVectors = 2, Iterations = 10, DenseLimit = 0 }),
        ["layers"] = l => HessianMeasures.PerLayer(l, new LayerwiseOptions { MaxIterations = 10, TraceSamples = 10 }),
        ["dense"] = l => HessianMeasures.DenseHessian(l),
    };

    public static TheoryData<string> MeasureNames => new(Measures.Keys);

    [Theory]
    [MemberData(nameof(MeasureNames))]
    public void ModuleStateIsIdenticalAfterTheMeasure(string measure)
    {
        var (landscape, module) = TinyCnn();
        Assert.True(module.training);
        var before = module.named_parameters().Select(p => (p.name, Values: p.parameter.detach().clone()))
            .Concat(module.named_buffers().Select(b => (b.name, Values: b.buffer.detach().clone()))).ToList();
        Assert.Contains(before, b => b.name.EndsWith("running_mean", StringComparison.Ordinal));

        Measures[measure](landscape);

        Assert.True(module.training, "training flag");
        Assert.All(module.modules(), m => Assert.True(m.training, $"training flag of {m.GetName()}"));
        var after = module.named_parameters().Select(p => (p.name, Values: (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, Values: b.buffer))).ToList();
        Assert.Equal(before.Select(b => b.name), after.Select(a => a.name));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Values.dtype, after[i].Values.dtype);
            Assert.Equal(before[i].Values.shape, after[i].Values.shape);
            Assert.True(before[i].Values.bytes.ToArray().SequenceEqual(after[i].Values.bytes.ToArray()), $"{before[i].name} changed");
        }
        Assert.All(module.parameters(), p => Assert.True(p.grad is null || p.grad.IsInvalid, "a .grad field was written"));
    }

    [Fact]
    public void PerLayerResultsMatchTheDenseBlocksAndCarryModuleNames()
    {
        var (landscape, _) = TinyCnn();
        var dense = HessianMeasures.DenseHessian(landscape);
        var layers = HessianMeasures.PerLayer(landscape, new LayerwiseOptions { Tolerance = 1e-8, TraceSamples = 30 });
        Assert.Equal(new[] { "conv.weight", "conv.bias", "bn.weight", "bn.bias", "fc.weight", "fc.bias" }, layers.Select(l => l.Name));
        int offset = 0;
        foreach (var layer in layers)
        {
            int size = (int)layer.ParameterCount;
            var block = dense.SubMatrix(offset, size, offset, size);
            offset += size;
            Assert.True(layer.Converged, layer.Name);
            Assert.Equal(Spectrum(block)[0], layer.TopEigenvalue, 6);
            if (size <= 30)
            {
                Assert.Null(layer.TraceStandardError); // exact
                Assert.Equal(block.Trace(), layer.Trace, 10);
            }
            else
            {
                Assert.True(Math.Abs(layer.Trace - block.Trace()) <= 3 * layer.TraceStandardError, $"{layer.Name}: {layer.Trace} ± {layer.TraceStandardError} vs {block.Trace()}");
            }
        }
        Assert.Equal(dense.RowCount, offset);
        Assert.Contains(layers, l => l.ParameterCount > 30); // the Hutchinson path is exercised too
    }
}
