using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Landscape;

/// <summary>
/// The measured parameters as one flat vector for the length of a measurement, so that an ascent step is a
/// handful of operations on one tensor instead of a handful per parameter tensor. When every parameter has the
/// same dtype and device (the usual case) the parameters are re-pointed at views of <see cref="Values"/>
/// (<c>Tensor.set_</c>, as PyTorch's flat-parameter optimizers do), so writing <see cref="Values"/> moves the
/// network; otherwise <see cref="Publish"/> copies the values into each parameter (mixed dtypes are held in their
/// promoted dtype). <see cref="Dispose"/> points aliased parameters back at their own storage, unchanged whatever
/// was written; unaliased ones keep the last published values (measures restore them from their snapshot). The flat order is the landscape's
/// parameter order, each parameter flattened row-major, as <see cref="ParameterVectors.Flatten"/>.
/// </summary>
internal sealed class FlatParameters : IDisposable
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] views;
    private readonly Tensor[] gradientViews;
    private readonly Tensor[]? originals;
    private readonly Tensor[] asTensors;
    private bool disposed;

    /// <summary>Copies the current values of <paramref name="parameters"/> into a flat vector and, when they share one dtype and device, makes them views of it.</summary>
    public FlatParameters(IReadOnlyList<Parameter> parameters)
    {
        this.parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        if (parameters.Count == 0) throw new ArgumentException("No parameters to flatten.", nameof(parameters));
        Sizes = parameters.Select(p => p.numel()).ToArray();
        Count = Sizes.Sum();
        var first = parameters[0];
        Aliased = parameters.All(p => p.dtype == first.dtype && p.device_type == first.device_type && p.device_index == first.device_index)
            && parameters.Select(p => p.Handle).Distinct().Count() == parameters.Count;
        var dtype = Aliased ? first.dtype : Common(parameters);
        asTensors = parameters.Cast<Tensor>().ToArray();
        using var _ = torch.no_grad();
        Values = torch.empty(Count, dtype: dtype, device: first.device);
        Gradient = torch.zeros(Count, dtype: dtype, device: first.device);
        views = Split(Values);
        gradientViews = Split(Gradient);
        for (int i = 0; i < parameters.Count; i++) views[i].copy_(parameters[i]);
        Values.DetachFromDisposeScope();
        Gradient.DetachFromDisposeScope();
        foreach (var v in views.Concat(gradientViews)) v.DetachFromDisposeScope();
        if (!Aliased) return;
        originals = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            originals[i] = parameters[i].detach();
            originals[i].DetachFromDisposeScope();
            Repoint(parameters[i], views[i]);
        }
    }

    /// <summary>Number of scalar parameters.</summary>
    public long Count { get; }

    /// <summary>Each parameter's number of entries, in order.</summary>
    public long[] Sizes { get; }

    /// <summary>True when the parameters are views of <see cref="Values"/> (one dtype and device).</summary>
    public bool Aliased { get; }

    /// <summary>The flat parameter vector; the parameters' storage when <see cref="Aliased"/>. Write it under no_grad, then call <see cref="Publish"/>.</summary>
    public Tensor Values { get; }

    /// <summary>The flat buffer <see cref="ComputeGradient"/> fills.</summary>
    public Tensor Gradient { get; }

    /// <summary>Makes the network see <see cref="Values"/> (nothing to do when <see cref="Aliased"/>).</summary>
    public void Publish()
    {
        if (Aliased) return;
        using var _ = torch.no_grad();
        for (int i = 0; i < views.Length; i++) parameters[i].copy_(views[i]);
    }

    /// <summary>Sets the parameters to the flat vector <paramref name="values"/>.</summary>
    public void Assign(Tensor values)
    {
        using (torch.no_grad()) Values.copy_(values);
        Publish();
    }

    /// <summary>Sets the parameters to <paramref name="weights"/> + <paramref name="delta"/> (flat vectors), rounded as the per-tensor sum w + δ.</summary>
    public void AssignShifted(Tensor weights, Tensor delta)
    {
        using (torch.no_grad()) Values.copy_(weights).add_(delta);
        Publish();
    }

    /// <summary>
    /// ∇ <paramref name="loss"/> with respect to the parameters, flat, in <see cref="Gradient"/> (zero for parameters
    /// the loss does not use); <see cref="Gradient"/> is overwritten by the next call. The parameters' <c>.grad</c> are
    /// left as they were.
    /// </summary>
    public Tensor ComputeGradient(Tensor loss)
    {
        var grads = torch.autograd.grad(new[] { loss }, asTensors, allow_unused: true);
        using var _ = torch.no_grad();
        for (int i = 0; i < grads.Count; i++)
        {
            var g = grads[i];
            if (g is null || g.IsInvalid) gradientViews[i].zero_();
            else gradientViews[i].copy_(g);
        }
        return Gradient;
    }

    /// <summary>Views of the flat vector <paramref name="flat"/>, shaped like the parameters.</summary>
    public Tensor[] Split(Tensor flat)
    {
        if (flat.dim() != 1 || flat.shape[0] != Count)
            throw new ArgumentException($"Expected a vector of {Count} entries, got shape [{string.Join(", ", flat.shape)}].", nameof(flat));
        var result = new Tensor[parameters.Count];
        long offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            result[i] = flat.narrow(0, offset, Sizes[i]).view(parameters[i].shape);
            offset += Sizes[i];
        }
        return result;
    }

    /// <summary>Points aliased parameters back at their own storage (their values as they were at construction).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (originals is not null)
        {
            using var _ = torch.no_grad();
            for (int i = 0; i < parameters.Count; i++)
            {
                Repoint(parameters[i], originals[i]);
                originals[i].Dispose();
            }
        }
        foreach (var v in views.Concat(gradientViews)) v.Dispose();
        Values.Dispose();
        Gradient.Dispose();
    }

    /// <summary>Makes <paramref name="parameter"/> share <paramref name="storage"/>'s storage, shape and offset (TorchSharp returns the parameter itself or a second handle to it).</summary>
    private static void Repoint(Parameter parameter, Tensor storage)
    {
        var result = parameter.set_(storage);
        if (!ReferenceEquals(result, parameter))
        {
            result.DetachFromDisposeScope();
            result.Dispose();
        }
    }

    private static ScalarType Common(IReadOnlyList<Parameter> parameters) =>
        parameters.Select(p => p.dtype).Aggregate((a, b) => torch.promote_types(a, b));
}
