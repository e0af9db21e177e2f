using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// A convex search space for Auto-PGD and plain PGA: the steepest-ascent step of a given length in
/// the space's own norm and the projection onto it. Points and gradients are flat vectors (the
/// parameters flattened in order). <see cref="PerturbationSet"/> (perturbations δ of the weights) and
/// the geodesic ball of initial velocities (<c>Geodesic/</c>) are the two.
/// </summary>
internal interface IAscentSpace
{
    /// <summary>The step of norm <paramref name="length"/> that increases the objective fastest, given its Euclidean gradient (a new tensor).</summary>
    Tensor AscentStep(Tensor gradient, double length);

    /// <summary>The projection of <paramref name="z"/> onto the space; may overwrite <paramref name="z"/> and return it.</summary>
    Tensor Project(Tensor z);
}
