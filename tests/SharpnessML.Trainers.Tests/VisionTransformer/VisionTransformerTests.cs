using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Trainers.VisionTransformer;
using SharpnessML.Transforms.Evaluation;
using TorchSharp;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.VisionTransformer;

public sealed class VisionTransformerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-vit-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TheNetworkMapsImagesToLogitsAndExposesItsAttentionMatrices()
    {
        using var scope = torch.NewDisposeScope();
        var net = (VisionTransformerNetwork)TorchRuntime.Seeded(0, () => new VisionTransformerSpec().Build());
        var logits = net.call(torch.randn(3, 784));
        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        Assert.Equal(2, net.Attention.Count);
        var names = net.named_parameters().Select(p => p.name).ToList();
        foreach (var matrix in new[] { "query", "key", "value", "output" })
            Assert.Contains($"blocks.0.attention.{matrix}.weight", names);
        Assert.Equal(new long[] { 64, 64 }, net.Attention[0].Query.weight!.shape);
        // Patch embedding 1·49·64+64, class token 64, positions 17·64, per block 4·(64·64+64) + 2 LayerNorms (2·2·64)
        // + MLP (64·128+128 + 128·64+64), final LayerNorm 128, head 64·10+10.
        long perBlock = 4 * (64 * 64 + 64) + 4 * 64 + (64 * 128 + 128) + (128 * 64 + 64);
        Assert.Equal(49 * 64 + 64 + 64 + 17 * 64 + 2 * perBlock + 128 + 64 * 10 + 10, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void InconsistentArchitecturesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new VisionTransformerSpec(PatchSize: 5).Validate());
        Assert.Throws<ArgumentException>(() => new VisionTransformerSpec(Dimension: 30, Heads: 4).Validate());
    }

    [Fact]
    public void TrainsOnAFashionMnistSubsetDeterministicallyAndRoundTrips()
    {
        if (!FashionMnistDataset.IsAvailable()) return; // Debian's dataset-fashion-mnist is installed by scripts/test.sh
        var ml = new MLContext(seed: 0);
        var train = FashionMnistDataset.Load(ml, FashionMnistSplit.Train, maxExamples: 3000);
        var test = FashionMnistDataset.Load(ml, FashionMnistSplit.Test, maxExamples: 1000);
        TorchNetworkTransformer Train() => ml.MulticlassClassification.Trainers.VisionTransformer(
            new VisionTransformerOptions { MaxEpochs = 2, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Seed = 3 }).Fit(train);
        var a = Train();
        var b = Train();
        for (int i = 0; i < a.Parameters.Count; i++) Assert.True(TensorAssert.SameValues(a.Parameters[i], b.Parameters[i]));
        var metrics = NetworkEvaluation.Evaluate(a, test);
        Assert.True(metrics.Accuracy > 0.6, $"accuracy {metrics.Accuracy}");

        var path = Path.Combine(folder, "vit.zip");
        ml.Sharpness().Model.Save(a, train.Schema, path);
        var loaded = ml.Sharpness().Model.Load(path, out _);
        Assert.Equal(a.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
            loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
    }
}
