using SharpnessML.Trainers;
using SharpnessML.Trainers.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Graphs;

[CollectionDefinition(nameof(GatGarbageCollectionTests), DisableParallelization = true)]
public class GatGarbageCollectionCollection { }

/// <summary>
/// TorchSharp 0.107 hands temporary <c>Scalar</c> objects to native code without keeping them
/// alive, so a collection on another thread can free a scalar mid-call. The GAT forward and
/// backward passes only pass scalars that stay alive; this runs them while another thread
/// collects continuously. The guard is probabilistic: one unprotected operation alone was seen to
/// survive 1700–4100 iterations, so it catches wholesale regressions rather than a single one.
/// (Runs alone: other tests' code is not protected.)
/// </summary>
[Collection(nameof(GatGarbageCollectionTests))]
public class GatGarbageCollectionTests
{
    [Fact]
    public void GatForwardAndBackwardSurviveConcurrentGarbageCollections()
    {
        var pairs = Enumerable.Range(0, 300).Select(i => (i % 100, (i * 7 + 3) % 100)).ToList();
        using var edges = EdgeIndex.FromUndirectedPairs(100, pairs);
        using var x = torch.randn(100, 20);
        using var y = torch.randint(0, 3, new long[] { 100 });
        using var network = TorchRuntime.Seeded(0, () => new GatSpec(20, 3, Heads: 4).Build());
        using var generator = new torch.Generator(1);
        network.DropoutGenerator = generator;
        network.train();
        var stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                using var scope = torch.NewDisposeScope();
                network.zero_grad();
                nn.functional.cross_entropy(network.call(x, edges), y).backward();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        Assert.True(network.parameters().All(p => p.grad is not null));
    }
}
