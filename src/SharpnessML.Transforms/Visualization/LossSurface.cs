namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// A loss surface: the loss (and, for a classifier, the accuracy) at every point of a 1D or 2D grid around a model,
/// θ(x, y) = θ* + x·δ + y·η (<see cref="LossSurfaces"/>), or along the line between two models, θ(x) = θ_a + x(θ_b − θ_a).
/// Losses are means over <see cref="ExampleCount"/> examples in evaluation mode.
/// </summary>
public sealed class LossSurface
{
    private readonly double[,] loss;
    private readonly double[,]? accuracy;

    internal LossSurface(string kind, double[] x, double[]? y, double[,] loss, double[,]? accuracy, int exampleCount,
        IReadOnlyList<double>? directionEigenvalues, IReadOnlyList<double> directionNorms)
    {
        Kind = kind;
        X = x;
        Y = y;
        this.loss = loss;
        this.accuracy = accuracy;
        ExampleCount = exampleCount;
        DirectionEigenvalues = directionEigenvalues;
        DirectionNorms = directionNorms;
    }

    /// <summary>What spans the grid: <c>random</c>, <c>hessian</c> or <c>interpolation</c>.</summary>
    public string Kind { get; }

    /// <summary>True for a 2D surface (<see cref="Y"/> is set).</summary>
    public bool IsTwoDimensional => Y != null;

    /// <summary>The coordinates along the first direction.</summary>
    public IReadOnlyList<double> X { get; }

    /// <summary>The coordinates along the second direction; null for a 1D curve.</summary>
    public IReadOnlyList<double>? Y { get; }

    /// <summary>The mean loss at (X[i], Y[j]); j is 0 for a 1D curve.</summary>
    public double LossAt(int i, int j = 0) => loss[j, i];

    /// <summary>The accuracy at (X[i], Y[j]) in [0, 1], or null for a regression.</summary>
    public double? AccuracyAt(int i, int j = 0) => accuracy?[j, i];

    /// <summary>Whether an accuracy was measured (a classifier).</summary>
    public bool HasAccuracy => accuracy != null;

    /// <summary>The losses as a [rows = Y, columns = X] array (one row for a 1D curve); a copy.</summary>
    public double[,] Losses => (double[,])loss.Clone();

    /// <summary>The accuracies as a [rows = Y, columns = X] array, or null for a regression; a copy.</summary>
    public double[,]? Accuracies => (double[,]?)accuracy?.Clone();

    /// <summary>Examples every point was evaluated on.</summary>
    public int ExampleCount { get; }

    /// <summary>Loss evaluations made (grid points).</summary>
    public int Evaluations => X.Count * (Y?.Count ?? 1);

    /// <summary>The Hessian eigenvalues of the directions (<see cref="SurfaceDirections.HessianEigenvectors"/>), largest first; null otherwise.</summary>
    public IReadOnlyList<double>? DirectionEigenvalues { get; }

    /// <summary>‖δ‖ (and ‖η‖) over the moved tensors, after normalisation.</summary>
    public IReadOnlyList<double> DirectionNorms { get; }
}
