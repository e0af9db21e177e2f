using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// Jacobian-vector and vector-Jacobian products of a tensor of outputs in the parameters, by reverse mode only:
/// J·v by the double-backward trick (with u a dummy cotangent, g(u) = Jᵀu is linear in u, so ∂⟨g(u), v⟩/∂u = J·v),
/// Jᵀ·z by one backward pass.
/// </summary>
internal static class JacobianProducts
{
    /// <summary>J·v, shaped like <paramref name="outputs"/>; keeps the outputs' graph for a later <see cref="Vjp"/>.</summary>
    public static Tensor Jvp(Tensor outputs, Tensor[] inputs, IReadOnlyList<Tensor> direction)
    {
        var u = torch.zeros_like(outputs).requires_grad_(true);
        var g = torch.autograd.grad(new[] { outputs }, inputs, new[] { u }, retain_graph: true, create_graph: true, allow_unused: true);
        var terms = new List<Tensor>();
        var seeds = new List<Tensor>();
        for (int i = 0; i < inputs.Length; i++)
        {
            if (g[i] is null || g[i].IsInvalid || !g[i].requires_grad) continue;
            terms.Add(g[i]);
            seeds.Add(direction[i]);
        }
        if (terms.Count == 0) return torch.zeros_like(outputs);
        var jv = torch.autograd.grad(terms, new[] { u }, seeds, retain_graph: true, allow_unused: true)[0];
        return jv is null || jv.IsInvalid ? torch.zeros_like(outputs) : jv.detach();
    }

    /// <summary>Jᵀ·z, one tensor per input (zeros where the outputs do not depend on it).</summary>
    public static Tensor[] Vjp(Tensor outputs, Tensor[] inputs, Tensor cotangent, bool retainGraph = false)
    {
        var g = torch.autograd.grad(new[] { outputs }, inputs, new[] { cotangent }, retain_graph: retainGraph, allow_unused: true);
        return g.Select((t, i) => t is null || t.IsInvalid ? torch.zeros_like(inputs[i]) : t.detach()).ToArray();
    }
}
