using BenchmarkDotNet.Attributes;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Benchmarks;

/// <summary>Trainer overhead: one epoch of the library's training loop versus a bare TorchSharp loop (Abalone FCNN, batch 64, SGD).</summary>
[MemoryDiagnoser]
public class TrainerEpochBenchmarks
{
    private const int Batch = 64;
    private SupervisedTensors data = null!;
    private nn.Module<Tensor, Tensor> net = null!;
    private optim.Optimizer optimizer = null!;
    private readonly TorchTrainerOptions options = new() { BatchSize = Batch, MaxEpochs = 1, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Optimizer = OptimizerOptions.SeedPaperSgd() };
    private torch.Generator generator = null!;

    /// <summary>Loads Abalone and builds the network and optimizer once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        data = Data.Abalone();
        net = Data.Fcnn(1);
        optimizer = OptimizerFactory.Create(net.parameters(), options.Optimizer, net);
        generator = new torch.Generator(0);
    }

    /// <summary>One epoch of <see cref="TrainingLoop.Train"/>.</summary>
    [Benchmark]
    public void TrainingLoopEpoch() => TrainingLoop.Train(net, data, LossFunction.MeanSquaredError, optimizer, options);

    /// <summary>One epoch of the bare loop: shuffle, index_select, forward, backward, step.</summary>
    [Benchmark(Baseline = true)]
    public void BareTorchSharpEpoch()
    {
        net.train();
        using var epoch = torch.NewDisposeScope();
        var order = torch.randperm(data.Count, generator: generator);
        for (int start = 0; start < data.Count; start += Batch)
        {
            using var step = torch.NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(Batch, data.Count - start));
            optimizer.zero_grad();
            LossFunction.MeanSquaredError.Compute(net.call(data.Features.index_select(0, index)), data.Labels.index_select(0, index)).backward();
            optimizer.step();
        }
    }

    /// <summary>Releases the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        optimizer.Dispose();
        net.Dispose();
        data.Dispose();
        generator.Dispose();
    }
}
