using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// The set {δ : ‖δ ⊙ c⁻¹‖_p ≤ ρ} around the weights w, with c = |w| (adaptive, Kwon et al. 2021;
/// Andriushchenko et al. 2023) or c = 1 (standard). Entries with c_i = 0 cannot move. Offers random
/// points, the steepest-ascent step for the set's norm, and the exact Euclidean projection.
/// </summary>
internal sealed class PerturbationSet : IAscentSpace
{
    /// <summary>Creates the set around <paramref name="weights"/>.</summary>
    /// <param name="weights">The unperturbed parameter values.</param>
    /// <param name="rho">Radius ρ &gt; 0.</param>
    /// <param name="norm">p = ∞ or 2.</param>
    /// <param name="adaptive">c = |w| when true; c = 1 when false.</param>
    /// <param name="geometry">For p = 2: the geometry of ascent steps and projection (see <see cref="EllipsoidGeometry"/>).</param>
    public PerturbationSet(IReadOnlyList<Tensor> weights, double rho, PerturbationNorm norm, bool adaptive,
        EllipsoidGeometry geometry = EllipsoidGeometry.Scaled)
    {
        Geometry = geometry;
        if (!(rho > 0) || double.IsInfinity(rho))
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "Rho must be a positive finite number.");
        Rho = rho;
        Norm = norm;
        Adaptive = adaptive;
        Scales = weights.Select(w =>
        {
            var c = adaptive ? w.detach().abs() : torch.ones_like(w);
            c.DetachFromDisposeScope();
            return c;
        }).ToArray();
    }

    /// <summary>ρ.</summary>
    public double Rho { get; }

    /// <summary>p.</summary>
    public PerturbationNorm Norm { get; }

    /// <summary>Whether c = |w|.</summary>
    public bool Adaptive { get; }

    /// <summary>For p = 2: scaled (invariant) or Euclidean steps and projection.</summary>
    public EllipsoidGeometry Geometry { get; }

    /// <summary>The per-entry scales c.</summary>
    public IReadOnlyList<Tensor> Scales { get; }

    /// <summary>‖δ ⊙ c⁻¹‖_p (entries with c = 0 count as 0 when δ = 0 there, ∞ otherwise).</summary>
    public double ScaledNorm(IReadOnlyList<Tensor> delta)
    {
        double result = 0;
        for (int i = 0; i < delta.Count; i++)
        {
            var d = delta[i].to(float64);
            var c = Scales[i].to(float64);
            var ratio = torch.where(c > 0, d / c.clamp_min(double.Epsilon), torch.where(d == 0, torch.zeros_like(d), torch.full_like(d, double.PositiveInfinity)));
            if (Norm == PerturbationNorm.LInfinity) result = Math.Max(result, ratio.abs().max().item<double>());
            else result += ratio.pow(2).sum().item<double>();
        }
        return Norm == PerturbationNorm.LInfinity ? result : Math.Sqrt(result);
    }

    /// <summary>
    /// A random point of the set: uniform in the box for p = ∞; for p = 2, c ⊙ (a point uniform in
    /// the ρ-ball).
    /// </summary>
    public Tensor[] RandomPoint(torch.Generator generator)
    {
        if (Norm == PerturbationNorm.LInfinity)
            return ParameterVectors.UniformSymmetric(Scales, generator).Select((u, i) => u * Scales[i] * Rho).ToArray();
        var direction = ParameterVectors.Normalize(ParameterVectors.Gaussian(Scales, generator));
        long dimension = Scales.Sum(s => s.numel());
        var radius = Rho * Math.Pow(torch.rand(1, generator: generator).item<float>(), 1.0 / dimension);
        return direction.Select((u, i) => u * Scales[i] * radius).ToArray();
    }

    /// <summary>
    /// The ascent step for gradient g, of length <paramref name="length"/> relative to the set.
    /// p = ∞: the box's steepest-ascent step c ⊙ sign(g) · length (scaled norm = length).
    /// p = 2, scaled geometry: the ellipsoid's steepest-ascent step c² ⊙ g / ‖c ⊙ g‖₂ · length
    /// (scaled norm = length). p = 2, Euclidean geometry: the normalised Euclidean gradient
    /// g / ‖g‖₂ · length · rms(c), the step the Euclidean projection is consistent with (the fixed
    /// points of Π(δ + ηg) are the KKT points ∇L ∝ δ ⊙ c⁻² of the constrained maximum).
    /// </summary>
    public Tensor[] AscentStep(IReadOnlyList<Tensor> gradient, double length)
    {
        if (Norm == PerturbationNorm.LInfinity)
            return gradient.Select((g, i) => g.sign() * Scales[i] * length).ToArray();
        if (Geometry == EllipsoidGeometry.Scaled)
        {
            var scaled = gradient.Select((g, i) => g * Scales[i]).ToArray();
            var scaledNorm = ParameterVectors.Norm(scaled);
            if (scaledNorm == 0) return gradient.Select(g => torch.zeros_like(g)).ToArray();
            return scaled.Select((s, i) => s * Scales[i] * (length / scaledNorm)).ToArray();
        }
        var norm = ParameterVectors.Norm(gradient);
        if (norm == 0) return gradient.Select(g => torch.zeros_like(g)).ToArray();
        return gradient.Select(g => g * (length * RmsScale / norm)).ToArray();
    }

    /// <summary>Root-mean-square of c over all entries (1 for standard sharpness).</summary>
    public double RmsScale => rmsScale ??= Math.Sqrt(ParameterVectors.Dot(Scales, Scales).to(float64).item<double>() / Scales.Sum(s => s.numel()));

    private double? rmsScale;

    /// <summary>
    /// The exact projection of z onto the set. p = ∞: clamps each entry to [−ρc_i, ρc_i] (exact in
    /// every geometry). p = 2, scaled geometry: the exact projection in the ellipsoid's own metric
    /// ‖·⊙c⁻¹‖₂, i.e. onto the ρ-ball in the coordinates δ⊙c⁻¹ — the geometry in which adaptive
    /// sharpness is invariant to rescalings. p = 2, Euclidean geometry: the exact Euclidean projection
    /// onto the ellipsoid, which is not a rescaling: δ_i = z_i c_i² / (c_i² + λ) with λ ≥ 0 the root of
    /// Σ (z_i c_i / (c_i² + λ))² = ρ², found by Newton's method on 1/‖δ⊙c⁻¹‖ − 1/ρ (concave in λ, so
    /// the iterates increase monotonically to the root; Moré &amp; Sorensen, 1983) inside a bisection
    /// bracket. Entries with c_i = 0 are set to 0.
    /// </summary>
    public Tensor[] Project(IReadOnlyList<Tensor> z)
    {
        if (Norm == PerturbationNorm.LInfinity)
            return z.Select((t, i) => torch.clamp(t, -Rho * Scales[i], Rho * Scales[i])).ToArray();
        if (Geometry == EllipsoidGeometry.Scaled)
        {
            var frozen = z.Select((t, i) => torch.where(Scales[i] > 0, t, torch.zeros_like(t))).ToArray();
            var scaledNorm = ScaledNorm(frozen);
            return scaledNorm <= Rho ? frozen : frozen.Select(t => t * (Rho / scaledNorm)).ToArray();
        }
        return ProjectEuclidean(z);
    }

    private Tensor[] ProjectEuclidean(IReadOnlyList<Tensor> z)
    {
        var zf = ParameterVectors.Flatten(z).to(float64);
        var c = ParameterVectors.Flatten(Scales).to(float64);
        zf = torch.where(c > 0, zf, torch.zeros_like(zf));
        var c2 = c * c;
        var cz2 = c2 * zf * zf;
        double rho2 = Rho * Rho;
        double F(double lambda) => (cz2 / (c2 + lambda).pow(2)).sum().item<double>();
        double F0 = (torch.where(c > 0, zf / c.clamp_min(double.Epsilon), torch.zeros_like(zf)).pow(2)).sum().item<double>();
        if (F0 <= rho2) return ParameterVectors.Unflatten(zf.to(z[0].dtype), z);

        double lo = 0, hi = Math.Sqrt(cz2.sum().item<double>()) / Rho;
        double lam = 0;
        for (int iter = 0; iter < 100; iter++)
        {
            double f = lam == 0 ? F0 : F(lam);
            double norm = Math.Sqrt(f);
            if (Math.Abs(norm - Rho) <= 1e-12 * Rho) break;
            if (norm > Rho) lo = lam; else hi = lam;
            // d/dλ f = −2 Σ c²z²/(c²+λ)³; φ(λ) = f^{-1/2} − 1/ρ, φ' = −½ f^{-3/2} f'.
            double df = lam == 0
                ? -2 * (torch.where(c > 0, cz2 / c2.clamp_min(double.Epsilon).pow(3), torch.zeros_like(zf))).sum().item<double>()
                : -2 * (cz2 / (c2 + lam).pow(3)).sum().item<double>();
            double phi = 1 / norm - 1 / Rho;
            double dphi = -0.5 * Math.Pow(f, -1.5) * df;
            double next = dphi > 0 ? lam - phi / dphi : double.NaN;
            lam = next > lo && next < hi ? next : 0.5 * (lo + hi);
        }
        var delta = c2 * zf / (c2 + lam);
        // Newton approaches the root from the infeasible side; remove the last ~1e-12 of excess.
        double reached = Math.Sqrt(lam == 0 ? F0 : F(lam));
        if (reached > Rho) delta = delta * (Rho / reached);
        return ParameterVectors.Unflatten(delta.to(z[0].dtype), z);
    }

    /// <summary>w + δ for each tensor.</summary>
    public static Tensor[] Shift(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> delta) => ParameterVectors.Add(weights, delta);
}
