using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// The set {δ : ‖δ ⊙ c⁻¹‖_p ≤ ρ} around the weights w, with c = |w| (adaptive, Kwon et al. 2021;
/// Andriushchenko et al. 2023) or c = 1 (standard). Entries with c_i = 0 cannot move. Offers random
/// points, the steepest-ascent step for the set's norm, and the exact Euclidean projection.
/// Points are flat vectors (the parameters flattened in order, as <see cref="FlatParameters"/>), so each
/// operation is a few tensor operations whatever the number of parameter tensors. Sums over the
/// entries (the L2 norms) are still taken per parameter tensor and added in order, and random
/// points are drawn tensor by tensor, so every number is the one the per-tensor formulas give.
/// </summary>
internal sealed class PerturbationSet : IAscentSpace, IDisposable
{
    private readonly long[][] shapes;
    private readonly long[] sizes;
    private readonly Tensor scales;
    private readonly Tensor[] scaleParts;
    private readonly List<Tensor> owned = new();
    private Tensor? lower, upper, movable, zeros, safeScales64, zeros64, infinities64;

    /// <summary>Creates the set around <paramref name="weights"/> (one tensor per parameter).</summary>
    /// <param name="weights">The unperturbed parameter values.</param>
    /// <param name="rho">Radius ρ &gt; 0.</param>
    /// <param name="norm">p = ∞ or 2.</param>
    /// <param name="adaptive">c = |w| when true; c = 1 when false.</param>
    /// <param name="geometry">For p = 2: the geometry of ascent steps and projection (see <see cref="EllipsoidGeometry"/>).</param>
    public PerturbationSet(IReadOnlyList<Tensor> weights, double rho, PerturbationNorm norm, bool adaptive,
        EllipsoidGeometry geometry = EllipsoidGeometry.Scaled)
        : this(ParameterVectors.Flatten(weights.Select(w => w.detach())), weights.Select(w => w.shape).ToArray(), rho, norm, adaptive, geometry)
    {
    }

    /// <summary>Creates the set around the flat weight vector <paramref name="weights"/>, made of tensors of the given shapes.</summary>
    public PerturbationSet(Tensor weights, long[][] shapes, double rho, PerturbationNorm norm, bool adaptive,
        EllipsoidGeometry geometry = EllipsoidGeometry.Scaled)
    {
        if (!(rho > 0) || double.IsInfinity(rho))
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "Rho must be a positive finite number.");
        this.shapes = shapes;
        sizes = shapes.Select(s => s.Aggregate(1L, (a, b) => a * b)).ToArray();
        if (weights.dim() != 1 || weights.shape[0] != sizes.Sum())
            throw new ArgumentException($"Expected a flat vector of {sizes.Sum()} weights, got shape [{string.Join(", ", weights.shape)}].", nameof(weights));
        Geometry = geometry;
        Rho = rho;
        Norm = norm;
        Adaptive = adaptive;
        using var _ = torch.no_grad();
        scales = Own(adaptive ? weights.detach().abs() : torch.ones_like(weights));
        scaleParts = Split(scales).Select(Own).ToArray();
        if (norm == PerturbationNorm.LInfinity)
        {
            lower = Own(-Rho * scales);
            upper = Own(Rho * scales);
        }
        else
        {
            movable = Own(scales > 0);
            zeros = Own(torch.zeros_like(scales));
        }
    }

    /// <summary>ρ.</summary>
    public double Rho { get; }

    /// <summary>p.</summary>
    public PerturbationNorm Norm { get; }

    /// <summary>Whether c = |w|.</summary>
    public bool Adaptive { get; }

    /// <summary>For p = 2: scaled (invariant) or Euclidean steps and projection.</summary>
    public EllipsoidGeometry Geometry { get; }

    /// <summary>The per-entry scales c, flat.</summary>
    public Tensor Scales => scales;

    /// <summary>Number of entries.</summary>
    public long Count => scales.shape[0];

    /// <summary>Views of the flat vector <paramref name="flat"/>, one per parameter tensor.</summary>
    public Tensor[] Split(Tensor flat)
    {
        var result = new Tensor[shapes.Length];
        long offset = 0;
        for (int i = 0; i < shapes.Length; i++)
        {
            result[i] = flat.narrow(0, offset, sizes[i]).view(shapes[i]);
            offset += sizes[i];
        }
        return result;
    }

    /// <summary>‖δ ⊙ c⁻¹‖_p of the flat δ (entries with c = 0 count as 0 when δ = 0 there, ∞ otherwise).</summary>
    public double ScaledNorm(Tensor delta)
    {
        var d = delta.to(float64);
        safeScales64 ??= Own(scales.to(float64).clamp_min(double.Epsilon));
        zeros64 ??= Own(torch.zeros_like(safeScales64));
        infinities64 ??= Own(torch.full_like(safeScales64, double.PositiveInfinity));
        movable ??= Own(scales > 0);
        var ratio = torch.where(movable, d / safeScales64, torch.where(d == 0, zeros64, infinities64));
        if (Norm == PerturbationNorm.LInfinity) return ratio.abs().max().item<double>();
        double result = 0;
        foreach (var part in SegmentSums(ratio.pow(2))) result += part.item<double>();
        return Math.Sqrt(result);
    }

    /// <summary>‖δ ⊙ c⁻¹‖_p of δ given per parameter tensor.</summary>
    public double ScaledNorm(IReadOnlyList<Tensor> delta) => ScaledNorm(ParameterVectors.Flatten(delta));

    /// <summary>
    /// A random point of the set, flat: uniform in the box for p = ∞; for p = 2, c ⊙ (a point uniform
    /// in the ρ-ball). The draws are made tensor by tensor, in parameter order.
    /// </summary>
    public Tensor RandomPoint(torch.Generator generator)
    {
        var point = torch.empty_like(scales);
        var parts = Split(point);
        if (Norm == PerturbationNorm.LInfinity)
        {
            foreach (var part in parts) part.uniform_(0, 1, generator);
            return point.mul_(2).sub_(1).mul_(scales).mul_(Rho);
        }
        foreach (var part in parts) part.normal_(0, 1, generator);
        var norm = Norm2(point);
        if (norm != 0) point.mul_(1.0 / norm);
        var radius = Rho * Math.Pow(torch.rand(1, generator: generator).item<float>(), 1.0 / Count);
        return point.mul_(scales).mul_(radius);
    }

    /// <summary>
    /// The ascent step for the flat gradient g, of length <paramref name="length"/> relative to the set (a new tensor).
    /// p = ∞: the box's steepest-ascent step c ⊙ sign(g) · length (scaled norm = length).
    /// p = 2, scaled geometry: the ellipsoid's steepest-ascent step c² ⊙ g / ‖c ⊙ g‖₂ · length
    /// (scaled norm = length). p = 2, Euclidean geometry: the normalised Euclidean gradient
    /// g / ‖g‖₂ · length · rms(c), the step the Euclidean projection is consistent with (the fixed
    /// points of Π(δ + ηg) are the KKT points ∇L ∝ δ ⊙ c⁻² of the constrained maximum).
    /// </summary>
    public Tensor AscentStep(Tensor gradient, double length)
    {
        if (Norm == PerturbationNorm.LInfinity) return gradient.sign().mul_(scales).mul_(length);
        if (Geometry == EllipsoidGeometry.Scaled)
        {
            var scaled = gradient * scales;
            var scaledNorm = Norm2(scaled);
            if (scaledNorm == 0) return torch.zeros_like(gradient);
            return scaled.mul_(scales).mul_(length / scaledNorm);
        }
        var norm = Norm2(gradient);
        if (norm == 0) return torch.zeros_like(gradient);
        return gradient * (length * RmsScale / norm);
    }

    /// <summary>The ascent step for a gradient given per parameter tensor.</summary>
    public Tensor[] AscentStep(IReadOnlyList<Tensor> gradient, double length) => Split(AscentStep(ParameterVectors.Flatten(gradient), length));

    /// <summary>Root-mean-square of c over all entries (1 for standard sharpness).</summary>
    public double RmsScale => rmsScale ??= Math.Sqrt((double)SumOfProducts(scales, scales) / Count);

    private double? rmsScale;

    /// <summary>
    /// The exact projection of the flat z onto the set; may overwrite z and return it. p = ∞: clamps each entry to [−ρc_i, ρc_i] (exact in
    /// every geometry). p = 2, scaled geometry: the exact projection in the ellipsoid's own metric
    /// ‖·⊙c⁻¹‖₂, i.e. onto the ρ-ball in the coordinates δ⊙c⁻¹ — the geometry in which adaptive
    /// sharpness is invariant to rescalings. p = 2, Euclidean geometry: the exact Euclidean projection
    /// onto the ellipsoid, which is not a rescaling: δ_i = z_i c_i² / (c_i² + λ) with λ ≥ 0 the root of
    /// Σ (z_i c_i / (c_i² + λ))² = ρ², found by Newton's method on 1/‖δ⊙c⁻¹‖ − 1/ρ (concave in λ, so
    /// the iterates increase monotonically to the root; Moré &amp; Sorensen, 1983) inside a bisection
    /// bracket. Entries with c_i = 0 are set to 0.
    /// </summary>
    public Tensor Project(Tensor z)
    {
        if (Norm == PerturbationNorm.LInfinity) return z.clamp_(lower!, upper!);
        if (Geometry == EllipsoidGeometry.Scaled)
        {
            var frozen = torch.where(movable!, z, zeros!);
            var scaledNorm = ScaledNorm(frozen);
            return scaledNorm <= Rho ? frozen : frozen.mul_(Rho / scaledNorm);
        }
        return ProjectEuclidean(z);
    }

    /// <summary>The projection of z given per parameter tensor (new tensors).</summary>
    public Tensor[] Project(IReadOnlyList<Tensor> z) => Split(Project(ParameterVectors.Flatten(z)));

    private Tensor ProjectEuclidean(Tensor z)
    {
        var zf = z.to(float64);
        var c = scales.to(float64);
        zf = torch.where(c > 0, zf, torch.zeros_like(zf));
        var c2 = c * c;
        var cz2 = c2 * zf * zf;
        double rho2 = Rho * Rho;
        double F(double lambda) => (cz2 / (c2 + lambda).pow(2)).sum().item<double>();
        double F0 = (torch.where(c > 0, zf / c.clamp_min(double.Epsilon), torch.zeros_like(zf)).pow(2)).sum().item<double>();
        if (F0 <= rho2) return zf.to(z.dtype);

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
        return delta.to(z.dtype);
    }

    /// <summary>‖a‖₂ of a flat vector, summed per parameter tensor in its dtype and in order (as <see cref="ParameterVectors.Norm"/> of the tensors).</summary>
    private double Norm2(Tensor a) => Math.Sqrt(SumOfProducts(a, a));

    /// <summary>Σ_i ⟨a_i, b_i⟩ over the parameter tensors, each term summed by torch and the terms added in a's dtype (as <see cref="ParameterVectors.Dot"/>).</summary>
    private double SumOfProducts(Tensor a, Tensor b)
    {
        var parts = SegmentSums(a * b);
        if (a.dtype == float32)
        {
            float sum = 0;
            for (int i = 0; i < parts.Length; i++) sum = i == 0 ? parts[i].item<float>() : sum + parts[i].item<float>();
            return sum;
        }
        if (a.dtype != float64) return ParameterVectors.Dot(Split(a), Split(b)).to(float64).item<double>();
        double total = 0;
        for (int i = 0; i < parts.Length; i++) total = i == 0 ? parts[i].item<double>() : total + parts[i].item<double>();
        return total;
    }

    /// <summary>Each parameter tensor's sum of the flat vector's entries (0-d tensors), one split and one sum per tensor.</summary>
    private Tensor[] SegmentSums(Tensor flat) => flat.split(sizes).Select(t => t.sum()).ToArray();

    private Tensor Own(Tensor t)
    {
        t.DetachFromDisposeScope();
        owned.Add(t);
        return t;
    }

    /// <summary>Frees the scales and the cached constants.</summary>
    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        owned.Clear();
    }

    /// <summary>w + δ for each tensor.</summary>
    public static Tensor[] Shift(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> delta) => ParameterVectors.Add(weights, delta);
}
