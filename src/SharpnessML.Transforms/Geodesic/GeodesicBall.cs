using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Geodesic;

/// <summary>
/// The search space of geodesic sharpness at the weights w: horizontal initial velocities ξ with
/// ‖ξ‖_w ≤ ρ, the metric being the sum of each block's (paper, App. C.1). Each parameter belongs to
/// exactly one block: a declared symmetry or the adaptive fallback. Steps and projections are taken
/// in the metric, so the ascent is equivariant under each block's group.
/// </summary>
internal sealed class GeodesicBall : IAscentSpace
{
    private readonly List<(ISymmetryGeometry Geometry, int[] Indices, Tensor[] Point)> blocks = new();
    private readonly Tensor[] weights;
    private readonly long dimension;

    /// <summary>The ball around <paramref name="weights"/> (values of <paramref name="parameters"/>, kept alive by the caller).</summary>
    public GeodesicBall(IReadOnlyList<Parameter> parameters, Tensor[] weights, IEnumerable<ISymmetryGeometry> geometries, double rho, bool secondOrder)
    {
        this.weights = weights;
        Rho = rho;
        SecondOrder = secondOrder;
        dimension = weights.Sum(w => w.numel());
        var owner = new int[parameters.Count];
        Array.Fill(owner, -1);
        foreach (var geometry in geometries)
        {
            var indices = geometry.Parameters.Select(p => IndexOf(parameters, p, geometry)).ToArray();
            foreach (var i in indices)
            {
                if (owner[i] >= 0)
                    throw new ArgumentException($"Parameter {i} (shape [{string.Join(", ", parameters[i].shape)}]) belongs to two symmetry geometries ({blocks[owner[i]].Geometry.Name} and {geometry.Name}).");
                owner[i] = blocks.Count;
            }
            blocks.Add((geometry, indices, indices.Select(i => weights[i]).ToArray()));
        }
        var rest = Enumerable.Range(0, parameters.Count).Where(i => owner[i] < 0).ToArray();
        if (rest.Length > 0)
            blocks.Add((new AdaptiveGeometry(rest.Select(i => parameters[i]).ToList()), rest, rest.Select(i => weights[i]).ToArray()));
    }

    public double Rho { get; }

    public bool SecondOrder { get; }

    /// <summary>The geometries in use, the adaptive fallback (if any) last.</summary>
    public IReadOnlyList<ISymmetryGeometry> Geometries => blocks.Select(b => b.Geometry).ToList();

    /// <summary>‖ξ‖_w.</summary>
    public double Norm(IReadOnlyList<Tensor> xi)
    {
        double sum = 0;
        foreach (var (geometry, indices, point) in blocks)
        {
            var part = Gather(xi, indices);
            sum += geometry.Inner(point, part, part).to(float64).item<double>();
        }
        return Math.Sqrt(Math.Max(sum, 0));
    }

    /// <summary>The Riemannian steepest-ascent step of metric norm <paramref name="length"/> (zero for a zero gradient), flat.</summary>
    public Tensor AscentStep(Tensor gradient, double length)
    {
        var direction = Map(Split(gradient), (g, point, part) => g.RiemannianGradient(point, part));
        var norm = Norm(direction);
        return norm == 0 ? torch.zeros_like(gradient) : ParameterVectors.Flatten(ParameterVectors.Scale(direction, length / norm));
    }

    /// <summary>Horizontal projection, then radial scaling onto the ball when outside (exact: the horizontal space with the metric is a Euclidean space), flat.</summary>
    public Tensor Project(Tensor z)
    {
        var horizontal = Map(Split(z), (g, point, part) => g.ProjectHorizontal(point, part));
        var norm = Norm(horizontal);
        return ParameterVectors.Flatten(norm <= Rho ? horizontal : ParameterVectors.Scale(horizontal, Rho / norm));
    }

    /// <summary>A random horizontal direction (each block's equivariant <see cref="ISymmetryGeometry.RandomTangent"/>) of metric norm ρ·U^{1/D}, flat.</summary>
    public Tensor RandomPoint(torch.Generator generator) => ParameterVectors.Flatten(RandomTangent(generator));

    private Tensor[] RandomTangent(torch.Generator generator)
    {
        var raw = new Tensor[weights.Length];
        foreach (var (geometry, indices, point) in blocks)
        {
            var part = geometry.RandomTangent(point, generator);
            for (int k = 0; k < indices.Length; k++) raw[indices[k]] = part[k];
        }
        var horizontal = Map(raw, (g, point, part) => g.ProjectHorizontal(point, part));
        var norm = Norm(horizontal);
        var radius = Rho * Math.Pow(torch.rand(1, generator: generator).item<float>(), 1.0 / dimension);
        return norm == 0 ? horizontal : ParameterVectors.Scale(horizontal, radius / norm);
    }

    /// <summary>γ_ξ(1) for every parameter (w + ξ when <see cref="SecondOrder"/> is off), differentiable in ξ.</summary>
    public Tensor[] Point(IReadOnlyList<Tensor> xi) => SecondOrder
        ? Map(xi, (g, point, part) => g.Geodesic(point, part))
        : ParameterVectors.Add(weights, xi);

    private Tensor[] Map(IReadOnlyList<Tensor> all, Func<ISymmetryGeometry, Tensor[], Tensor[], Tensor[]> f)
    {
        var result = new Tensor[all.Count];
        foreach (var (geometry, indices, point) in blocks)
        {
            var part = f(geometry, point, Gather(all, indices));
            for (int k = 0; k < indices.Length; k++) result[indices[k]] = part[k];
        }
        return result;
    }

    /// <summary>Views of a flat vector shaped like the weights.</summary>
    private Tensor[] Split(Tensor flat) => ParameterVectors.Unflatten(flat, weights);

    private static Tensor[] Gather(IReadOnlyList<Tensor> all, int[] indices) => indices.Select(i => all[i]).ToArray();

    private static int IndexOf(IReadOnlyList<Parameter> parameters, Parameter parameter, ISymmetryGeometry geometry)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (ReferenceEquals(parameters[i], parameter)) return i;
        throw new ArgumentException($"A parameter of {geometry.Name} (shape [{string.Join(", ", parameter.shape)}]) is not among the landscape's measured parameters.");
    }
}
