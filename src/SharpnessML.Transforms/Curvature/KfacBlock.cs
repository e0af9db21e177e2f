using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace SharpnessML.Transforms.Curvature;

/// <summary>The kind of layer a <see cref="KfacBlock"/> approximates.</summary>
public enum KfacLayerKind
{
    /// <summary>An <c>nn.Linear</c> layer: ã is its input.</summary>
    Linear,

    /// <summary>An <c>nn.Conv2d</c> layer: ã ranges over its unfolded input patches (KFC, Grosse and Martens 2016).</summary>
    Convolution,
}

/// <summary>
/// K-FAC's block of one linear or convolution layer: the Fisher block of its weight W [out, in] (a convolution's
/// [out, in·k_h·k_w]) and bias b approximated as the Kronecker product G ⊗ A, with A = E[ã ãᵀ] over the layer's inputs
/// (or input patches) ã = [a; 1] (the 1 when the bias is measured) and G = E[g gᵀ] over the gradients g = ∂ℓ/∂s of
/// each example's loss in the layer's outputs s = W a + b (see <see cref="Kfac"/> for the normalisation).
/// </summary>
/// <remarks>
/// The eigenvalues of G ⊗ A are the products λ_i(G)·λ_j(A) and its trace is tr(G)·tr(A). In the parameters' own order
/// (W row-major, then b) the block's entry for W_oi, W_o'i' is G_oo'·A_ii' (<see cref="ToDense"/>).
/// </remarks>
public sealed class KfacBlock
{
    internal KfacBlock(string name, KfacLayerKind kind, int outputs, int inputs, bool hasBias, Matrix<double> a, Matrix<double> g)
    {
        Name = name;
        Kind = kind;
        Outputs = outputs;
        Inputs = inputs;
        HasBias = hasBias;
        InputFactor = a;
        OutputFactor = g;
        InputEigenvalues = Eigenvalues(a);
        OutputEigenvalues = Eigenvalues(g);
        Trace = a.Trace() * g.Trace();
        TopEigenvalue = Math.Max(InputEigenvalues[0] * OutputEigenvalues[0], InputEigenvalues[^1] * OutputEigenvalues[^1]);
    }

    /// <summary>The layer's name in the module, e.g. <c>layers.0</c>.</summary>
    public string Name { get; }

    /// <summary>Linear or convolution.</summary>
    public KfacLayerKind Kind { get; }

    /// <summary>out, the layer's output width (a convolution's output channels).</summary>
    public int Outputs { get; }

    /// <summary>in, the layer's input width (a convolution's in·k_h·k_w).</summary>
    public int Inputs { get; }

    /// <summary>Whether the bias is in the block (A then has one more row and column, for the constant input 1).</summary>
    public bool HasBias { get; }

    /// <summary>A = E[ã ãᵀ], (in + 1)×(in + 1) with the bias, in×in without.</summary>
    public Matrix<double> InputFactor { get; }

    /// <summary>G = E[g gᵀ], out×out.</summary>
    public Matrix<double> OutputFactor { get; }

    /// <summary>A's eigenvalues, largest first.</summary>
    public double[] InputEigenvalues { get; }

    /// <summary>G's eigenvalues, largest first.</summary>
    public double[] OutputEigenvalues { get; }

    /// <summary>tr(G ⊗ A) = tr(G)·tr(A).</summary>
    public double Trace { get; }

    /// <summary>λ_max(G ⊗ A) = λ_max(G)·λ_max(A) (both factors are positive semi-definite).</summary>
    public double TopEigenvalue { get; }

    /// <summary>Number of parameters in the block: out·in, plus out for the bias.</summary>
    public int ParameterCount => Outputs * Inputs + (HasBias ? Outputs : 0);

    /// <summary>Every eigenvalue of G ⊗ A, largest first.</summary>
    public double[] AllEigenvalues() =>
        OutputEigenvalues.SelectMany(g => InputEigenvalues.Select(a => g * a)).OrderByDescending(x => x).ToArray();

    /// <summary>The block as a dense matrix in the parameters' order (W row-major, then b), for small layers and tests.</summary>
    public Matrix<double> ToDense()
    {
        int n = ParameterCount;
        var dense = Matrix<double>.Build.Dense(n, n);
        for (int p = 0; p < n; p++)
        {
            var (o, i) = Position(p);
            for (int q = 0; q < n; q++)
            {
                var (o2, i2) = Position(q);
                dense[p, q] = OutputFactor[o, o2] * InputFactor[i, i2];
            }
        }
        return dense;
    }

    private (int Output, int Input) Position(int parameter) =>
        parameter < Outputs * Inputs ? (parameter / Inputs, parameter % Inputs) : (parameter - Outputs * Inputs, Inputs);

    /// <summary>
    /// The eigenvalues, largest first; all NaN when a factor is not finite (a diverged network: MathNet's symmetric
    /// eigensolver indexes out of its arrays on NaN input).
    /// </summary>
    private static double[] Eigenvalues(Matrix<double> m) =>
        m.Enumerate().Any(v => !double.IsFinite(v)) ? Enumerable.Repeat(double.NaN, m.RowCount).ToArray()
        : m.RowCount == 1 ? new[] { m[0, 0] }
        : m.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).OrderByDescending(x => x).ToArray();
}
