using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Landscape;

/// <summary>
/// A copy of every parameter and buffer of a module, and of its training flag. Measures perturb the
/// parameters freely and dispose the snapshot, which puts every value back bit for bit and restores
/// the mode. Measures differentiate with <c>torch.autograd.grad</c>, never <c>backward()</c>, so
/// the parameters' <c>.grad</c> fields are left as they were. <see cref="Capture"/> also switches the module to evaluation mode (BatchNorm uses its
/// running statistics, dropout is off), the mode every measure is defined in.
/// </summary>
internal sealed class ModelStateSnapshot : IDisposable
{
    private readonly nn.Module module;
    private readonly bool wasTraining;
    private readonly List<(Tensor Live, Tensor Saved)> saved = new();
    private bool disposed;

    private ModelStateSnapshot(nn.Module module)
    {
        this.module = module;
        wasTraining = module.training;
        foreach (var (_, p) in module.named_parameters()) saved.Add((p, p.detach().clone()));
        foreach (var (_, b) in module.named_buffers()) saved.Add((b, b.detach().clone()));
        foreach (var (_, s) in saved) s.DetachFromDisposeScope();
    }

    /// <summary>Saves the module's state and puts it in evaluation mode.</summary>
    public static ModelStateSnapshot Capture(nn.Module module)
    {
        var snapshot = new ModelStateSnapshot(module);
        module.eval();
        return snapshot;
    }

    /// <summary>Writes the saved values back (the snapshot stays usable).</summary>
    public void Restore()
    {
        using var _ = torch.no_grad();
        foreach (var (live, value) in saved) live.copy_(value);
    }

    /// <summary>Restores values and mode, then frees the copies.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Restore();
        module.train(wasTraining);
        foreach (var (_, value) in saved) value.Dispose();
    }
}
