using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// The frame every curvature-operator measure runs in (Hessian, GGN, Fisher): options validated, the model's state
/// captured and restored bit for bit, native temporaries freed, the seeded random batch drawn when the options ask for
/// one, and the operator created on it and disposed after <c>run</c>.
/// </summary>
internal static class OperatorMeasurement
{
    public static TResult Run<TOperator, TOptions, TResult>(LossLandscape landscape, TOptions options, Func<Tensor?, TOperator> create,
        Func<TOperator, TOptions, TResult> run)
        where TOperator : IDisposable
        where TOptions : HessianOptions
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options.Validate();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var scope = torch.NewDisposeScope();
        Tensor? batch = null;
        if (options.BatchSize is int size)
        {
            using var generator = new torch.Generator((ulong)options.Seed);
            batch = landscape.SampleBatch(size, generator);
        }

        using var op = create(batch);
        return run(op, options);
    }
}
