using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// A symmetric matrix held densely (MathNet) and exposed as an <see cref="ILinearOperator"/>:
/// the exact reference every Hessian algorithm is tested against, and the exact path for models
/// small enough to materialise their Hessian.
/// </summary>
public sealed class DenseOperator : ILinearOperator
{
    /// <summary>Wraps a square matrix; it is used as given (symmetry is the caller's promise).</summary>
    public DenseOperator(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount != matrix.ColumnCount)
            throw new ArgumentException($"The matrix must be square; it is {matrix.RowCount}×{matrix.ColumnCount}.", nameof(matrix));
        Matrix = matrix;
    }

    /// <summary>The matrix.</summary>
    public Matrix<double> Matrix { get; }

    /// <inheritdoc />
    public long Dimension => Matrix.RowCount;

    /// <inheritdoc />
    public Device Device => CPU;

    /// <summary>Number of products computed so far.</summary>
    public long ProductCount { get; private set; }

    /// <inheritdoc />
    public Tensor Multiply(Tensor vector)
    {
        if (vector.dim() != 1 || vector.shape[0] != Dimension)
            throw new ArgumentException($"Expected a vector of {Dimension} entries, got shape [{string.Join(", ", vector.shape)}].", nameof(vector));
        var x = Vector<double>.Build.DenseOfArray(vector.to(float64).cpu().data<double>().ToArray());
        ProductCount++;
        return torch.tensor((Matrix * x).ToArray(), dtype: float64);
    }

    /// <summary>
    /// Eigenvalues in decreasing order (symmetric eigendecomposition); all NaN when the matrix has a NaN or infinite
    /// entry (the Hessian of a network with non-finite weights), on which MathNet's EVD fails.
    /// </summary>
    public double[] Eigenvalues() => Matrix.RowCount == 1
        ? new[] { Matrix[0, 0] } // MathNet's symmetric EVD fails on 1×1
        : !Matrix.Enumerate().All(double.IsFinite) ? Enumerable.Repeat(double.NaN, Matrix.RowCount).ToArray()
        : Matrix.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).OrderByDescending(x => x).ToArray();

    /// <summary>
    /// Materialises <paramref name="source"/> column by column (one product per basis vector, so
    /// <c>Dimension</c> products and <c>Dimension²</c> doubles of memory) and symmetrises the
    /// result as (A + Aᵀ)/2 to remove round-off asymmetry.
    /// </summary>
    public static DenseOperator FromOperator(ILinearOperator source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Dimension > int.MaxValue) throw new ArgumentException("The operator is too large to materialise.", nameof(source));
        int n = (int)source.Dimension;
        var matrix = Matrix<double>.Build.Dense(n, n);
        for (int j = 0; j < n; j++)
        {
            using var scope = torch.NewDisposeScope();
            var basis = torch.zeros(n, dtype: float64, device: source.Device);
            basis[j].fill_(1.0);
            var column = source.Multiply(basis).cpu().data<double>().ToArray();
            for (int i = 0; i < n; i++) matrix[i, j] = column[i];
        }
        return new DenseOperator(0.5 * (matrix + matrix.Transpose()));
    }
}
