using SharpnessML.Transforms.Geodesic;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SharpnessML.TestKit.Geodesic;

namespace SharpnessML.Transforms.Tests.Geodesic;

public class SymmetryGeometryTests
{
    /// <summary>Each geometry at a float64 point where its symmetry holds, with the loss it is a symmetry of.</summary>
    public static TheoryData<string> Geometries => new() { "diagonal", "attention-qk", "attention-vo", "adaptive" };

    private static (ISymmetryGeometry Geometry, Tensor[] Point, LossLandscape Landscape) Setup(string name)
    {
        if (name == "diagonal")
        {
            var (net, x, y) = GeodesicTestModels.TrainedDiagonal(n: 12, d: 10, dtype: float64, steps: 50);
            var landscape = GeodesicTestModels.Landscape(net, new[] { net.U, net.V }, x, y);
            return (new DiagonalNetworkGeometry(net.U, net.V), ParameterVectors.Clone(landscape.Parameters), landscape);
        }
        var (attention, xs, ys) = GeodesicTestModels.TrainedAttention(n: 16, dtype: float64, steps: 20);
        ISymmetryGeometry geometry = name switch
        {
            "attention-qk" => AttentionGeometry.QueryKey(attention.Query, attention.Key, attention.Heads),
            "attention-vo" => AttentionGeometry.ValueOutput(attention.Value, attention.Output, attention.Heads),
            _ => new AdaptiveGeometry(new[] { attention.Query, attention.Readout }),
        };
        var measured = geometry.Parameters;
        return (geometry, ParameterVectors.Clone(measured), GeodesicTestModels.Landscape(attention, measured, xs, ys));
    }

    private static double Inner(ISymmetryGeometry geometry, Tensor[] point, IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) =>
        geometry.Inner(point, a, b).item<double>();

    private static double MetricNorm(ISymmetryGeometry geometry, Tensor[] point, IReadOnlyList<Tensor> a) => Math.Sqrt(Inner(geometry, point, a, a));

    private static double Distance(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) => ParameterVectors.Norm(ParameterVectors.Add(a, b, -1));

    [Theory]
    [MemberData(nameof(Geometries))]
    public void HorizontalProjectionIsAnIdempotentMetricOrthogonalProjection(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (geometry, point, _) = Setup(name);
        using var g = new torch.Generator(11);
        for (int trial = 0; trial < 3; trial++)
        {
            var xi = ParameterVectors.Gaussian(point, g);
            var p = geometry.ProjectHorizontal(point, xi);
            // Idempotent: P(Pξ) = Pξ.
            Assert.True(Distance(geometry.ProjectHorizontal(point, p), p) <= 1e-10 * ParameterVectors.Norm(p), $"{name}: P is not idempotent");
            // The removed part is vertical: P(ξ − Pξ) = 0.
            var removed = ParameterVectors.Add(xi, p, -1);
            Assert.True(ParameterVectors.Norm(geometry.ProjectHorizontal(point, removed)) <= 1e-10 * ParameterVectors.Norm(xi), $"{name}: ξ − Pξ is not vertical");
            // Pξ is metric-orthogonal to every vertical direction the symmetry generates.
            for (int k = 0; k < 3; k++)
            {
                var vertical = geometry.RandomVertical(point, g);
                double scale = MetricNorm(geometry, point, p) * MetricNorm(geometry, point, vertical);
                Assert.True(Math.Abs(Inner(geometry, point, p, vertical)) <= 1e-10 * Math.Max(scale, 1e-300), $"{name}: ⟨Pξ, v⟩ = {Inner(geometry, point, p, vertical)}");
                Assert.True(ParameterVectors.Norm(geometry.ProjectHorizontal(point, vertical)) <= 1e-10 * Math.Max(ParameterVectors.Norm(vertical), 1e-300), $"{name}: P(v) ≠ 0");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void VerticalDirectionsLeaveTheLossUnchangedAndTheRiemannianGradientRepresentsTheDifferential(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (geometry, point, landscape) = Setup(name);
        using var g = new torch.Generator(12);
        var loss = landscape.Loss();
        var euclidean = torch.autograd.grad(new[] { loss }, landscape.Parameters.Cast<Tensor>().ToArray()).Select(t => t.detach()).ToArray();
        double gradNorm = ParameterVectors.Norm(euclidean);
        // The symmetry's directions are flat directions of the loss: ⟨∇L, v⟩ = 0.
        var vertical = geometry.RandomVertical(point, g);
        Assert.True(Math.Abs(ParameterVectors.Dot(euclidean, vertical).item<double>()) <= 1e-9 * gradNorm * Math.Max(ParameterVectors.Norm(vertical), 1e-300));
        // The Riemannian gradient is horizontal and ⟨grad L, η⟩_w = DL[η] for horizontal η.
        var riemannian = geometry.RiemannianGradient(point, euclidean);
        Assert.True(Distance(geometry.ProjectHorizontal(point, riemannian), riemannian) <= 1e-10 * ParameterVectors.Norm(riemannian));
        for (int k = 0; k < 3; k++)
        {
            var eta = geometry.ProjectHorizontal(point, ParameterVectors.Gaussian(point, g));
            double differential = ParameterVectors.Dot(euclidean, eta).item<double>();
            double metric = Inner(geometry, point, riemannian, eta);
            Assert.True(Math.Abs(metric - differential) <= 1e-9 * (Math.Abs(differential) + gradNorm * ParameterVectors.Norm(eta)), $"{name}: {metric} vs {differential}");
        }
    }

    [Fact]
    public void DiagonalClosedFormGeodesicSolvesTheGeodesicEquationAndStaysHorizontal()
    {
        using var scope = torch.NewDisposeScope();
        var (geometry, point, _) = Setup("diagonal");
        using var g = new torch.Generator(13);
        var xi = ParameterVectors.Scale(geometry.ProjectHorizontal(point, geometry.RandomTangent(point, g)), 0.1);
        const double h = 1e-4;
        Tensor[] Gamma(double t) => geometry.Geodesic(point, ParameterVectors.Scale(xi, t));
        foreach (var t in new[] { 0.0, 0.4, 1.0 })
        {
            var (before, at, after) = (Gamma(t - h), Gamma(t), Gamma(t + h));
            var velocity = ParameterVectors.Scale(ParameterVectors.Add(after, before, -1), 1 / (2 * h));
            var acceleration = after.Select((a, i) => (a - 2 * at[i] + before[i]) / (h * h)).ToArray();
            var residual = ParameterVectors.Add(acceleration, geometry.Christoffel(at, velocity));
            double scale = ParameterVectors.Norm(acceleration) + ParameterVectors.Norm(velocity);
            Assert.True(ParameterVectors.Norm(residual) <= 1e-5 * scale, $"t={t}: ‖γ̈ + Γ(γ̇, γ̇)‖ = {ParameterVectors.Norm(residual)} (scale {scale})");
            // The velocity stays horizontal at γ(t): the path never moves along an orbit.
            Assert.True(Distance(geometry.ProjectHorizontal(at, velocity), velocity) <= 1e-6 * ParameterVectors.Norm(velocity));
            // The metric speed is constant along a geodesic.
            Assert.Equal(MetricNorm(geometry, point, xi), MetricNorm(geometry, at, velocity), 6);
        }
    }

    [Theory]
    [InlineData("diagonal")]
    [InlineData("attention-qk")]
    [InlineData("attention-vo")]
    public void SecondOrderStepMatchesTheTrueGeodesicToThirdOrder(string name)
    {
        // w + ξ − ½Γ(ξ, ξ) (paper, Eq. 5) against the geodesic itself: the closed form for the diagonal
        // network, a fine RK4 integration of γ̈ = −Γ(γ̇, γ̇) for attention. Halving ξ divides the error by ~8.
        using var scope = torch.NewDisposeScope();
        var (geometry, point, _) = Setup(name);
        using var g = new torch.Generator(14);
        var direction = geometry.ProjectHorizontal(point, geometry.RandomTangent(point, g));
        direction = ParameterVectors.Scale(direction, ParameterVectors.Norm(point) / ParameterVectors.Norm(direction));
        double Error(double size)
        {
            var xi = ParameterVectors.Scale(direction, size);
            var gamma = geometry.Christoffel(point, xi);
            var secondOrder = point.Select((w, i) => w + xi[i] - 0.5 * gamma[i]).ToArray();
            var exact = name == "diagonal" ? geometry.Geodesic(point, xi) : Integrate(geometry, point, xi, 40);
            return Distance(secondOrder, exact);
        }
        double e1 = Error(0.1), e2 = Error(0.05), e3 = Error(0.025);
        Assert.InRange(e1 / e2, 6.0, 10.0);
        Assert.InRange(e2 / e3, 6.0, 10.0);
    }

    private static Tensor[] Integrate(ISymmetryGeometry geometry, Tensor[] point, Tensor[] velocity, int steps)
    {
        // y = (γ, γ̇), ẏ = (γ̇, −Γ_γ(γ̇, γ̇)), classical RK4 on t ∈ [0, 1].
        double dt = 1.0 / steps;
        var x = point;
        var v = velocity;
        (Tensor[], Tensor[]) F(Tensor[] px, Tensor[] pv) => (pv, ParameterVectors.Scale(geometry.Christoffel(px, pv), -1));
        for (int s = 0; s < steps; s++)
        {
            var (k1x, k1v) = F(x, v);
            var (k2x, k2v) = F(ParameterVectors.Add(x, k1x, dt / 2), ParameterVectors.Add(v, k1v, dt / 2));
            var (k3x, k3v) = F(ParameterVectors.Add(x, k2x, dt / 2), ParameterVectors.Add(v, k2v, dt / 2));
            var (k4x, k4v) = F(ParameterVectors.Add(x, k3x, dt), ParameterVectors.Add(v, k3v, dt));
            x = x.Select((t, i) => t + dt / 6 * (k1x[i] + 2 * k2x[i] + 2 * k3x[i] + k4x[i])).ToArray();
            v = v.Select((t, i) => t + dt / 6 * (k1v[i] + 2 * k2v[i] + 2 * k3v[i] + k4v[i])).ToArray();
        }
        return x;
    }

    [Fact]
    public void AttentionGeometryHandlesBothWeightLayouts()
    {
        // The same pair stored transposed (as nn.Linear weights) gives the transposed projection.
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator(15);
        var a = new Parameter(torch.randn(6, 4, generator: g, dtype: float64));
        var b = new Parameter(torch.randn(5, 4, generator: g, dtype: float64));
        var at = new Parameter(a.t().contiguous().detach());
        var bt = new Parameter(b.t().contiguous().detach());
        var columns = new AttentionGeometry(a, b, heads: 2);
        var rows = new AttentionGeometry(at, bt, heads: 2, SharedAxis.Rows, SharedAxis.Rows);
        var xi = new[] { torch.randn(6, 4, generator: g, dtype: float64), torch.randn(5, 4, generator: g, dtype: float64) };
        var p = columns.ProjectHorizontal(new Tensor[] { a, b }, xi);
        var q = rows.ProjectHorizontal(new Tensor[] { at, bt }, xi.Select(t => t.t()).ToArray());
        Assert.True(torch.allclose(p[0], q[0].t(), 1e-12, 1e-12) && torch.allclose(p[1], q[1].t(), 1e-12, 1e-12));
    }
}
