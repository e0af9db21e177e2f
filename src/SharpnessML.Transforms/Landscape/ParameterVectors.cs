using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Landscape;

/// <summary>
/// Vector algebra over lists of parameter-shaped tensors (one tensor per parameter), written once
/// for every measure: inner products, norms, axpy, random directions, and flattening into one
/// vector and back.
/// </summary>
internal static class ParameterVectors
{
    /// <summary>Σ_i ⟨a_i, b_i⟩ as a 0-d tensor.</summary>
    public static Tensor Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        CheckSameLength(a, b);
        Tensor? sum = null;
        for (int i = 0; i < a.Count; i++)
        {
            var term = (a[i] * b[i]).sum();
            sum = sum is null ? term : sum + term;
        }
        return sum!;
    }

    /// <summary>Euclidean norm of the concatenated vector.</summary>
    public static double Norm(IReadOnlyList<Tensor> a) => Math.Sqrt(Dot(a, a).to(float64).item<double>());

    /// <summary>a + alpha·b, element-wise per tensor (new tensors).</summary>
    public static Tensor[] Add(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b, double alpha = 1.0)
    {
        CheckSameLength(a, b);
        return a.Select((t, i) => t + alpha * b[i]).ToArray();
    }

    /// <summary>alpha·a (new tensors).</summary>
    public static Tensor[] Scale(IReadOnlyList<Tensor> a, double alpha) => a.Select(t => t * alpha).ToArray();

    /// <summary>a / ‖a‖ (new tensors); a zero vector stays zero.</summary>
    public static Tensor[] Normalize(IReadOnlyList<Tensor> a)
    {
        var norm = Norm(a);
        return norm == 0 ? a.Select(t => t.clone()).ToArray() : Scale(a, 1.0 / norm);
    }

    /// <summary>Random entries of ±1 with equal probability, shaped like <paramref name="like"/>.</summary>
    public static Tensor[] Rademacher(IReadOnlyList<Tensor> like, torch.Generator generator) =>
        like.Select(p => torch.randint(0, 2, p.shape, generator: generator, dtype: p.dtype).to(p.device) * 2 - 1).ToArray();

    /// <summary>Standard normal entries shaped like <paramref name="like"/>.</summary>
    public static Tensor[] Gaussian(IReadOnlyList<Tensor> like, torch.Generator generator) =>
        like.Select(p => torch.randn(p.shape, generator: generator, dtype: p.dtype).to(p.device)).ToArray();

    /// <summary>Uniform entries on [−1, 1] shaped like <paramref name="like"/>.</summary>
    public static Tensor[] UniformSymmetric(IReadOnlyList<Tensor> like, torch.Generator generator) =>
        like.Select(p => (torch.rand(p.shape, generator: generator, dtype: p.dtype) * 2 - 1).to(p.device)).ToArray();

    /// <summary>Concatenates the tensors, flattened, into one vector.</summary>
    public static Tensor Flatten(IEnumerable<Tensor> tensors) => torch.cat(tensors.Select(t => t.reshape(-1)).ToList(), 0);

    /// <summary>Splits a flat vector into tensors shaped like <paramref name="like"/>.</summary>
    public static Tensor[] Unflatten(Tensor vector, IReadOnlyList<Tensor> like)
    {
        long total = like.Sum(t => t.numel());
        if (vector.dim() != 1 || vector.shape[0] != total)
            throw new ArgumentException($"Expected a vector of {total} entries, got shape [{string.Join(", ", vector.shape)}].", nameof(vector));
        var result = new Tensor[like.Count];
        long offset = 0;
        for (int i = 0; i < like.Count; i++)
        {
            long n = like[i].numel();
            result[i] = vector.narrow(0, offset, n).reshape(like[i].shape);
            offset += n;
        }
        return result;
    }

    /// <summary>Detached copies of the tensors.</summary>
    public static Tensor[] Clone(IEnumerable<Tensor> tensors) => tensors.Select(t => t.detach().clone()).ToArray();

    /// <summary>Copies <paramref name="values"/> into the parameters in place, without recording gradients.</summary>
    public static void Assign(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> values)
    {
        CheckSameLength(parameters, values);
        using var _ = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(values[i]);
    }

    private static void CheckSameLength(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Parameter lists differ in length ({a.Count} vs {b.Count}).");
    }
}
