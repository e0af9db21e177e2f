using System.Numerics.Tensors;

namespace SharpnessML.Studies.DiagonalNetwork;

/// <summary>
/// Full-batch training of a diagonal linear network ŷ = xᵀ(u ⊙ v) under the MSE (1/n)Σ(ŷᵢ − yᵢ)², in
/// plain double arithmetic with closed-form gradients — about a hundred times faster than torch for
/// d = 100, n = 30, which is what lets the diagonal-network benchmark run 10⁵–10⁶ steps in seconds.
/// The gradient is ∂L/∂u = v ⊙ g, ∂L/∂v = u ⊙ g with g = (2/n)Xᵀ(X(u ⊙ v) − y). SGD takes
/// θ ← θ − η∇L; Adam is PyTorch's (bias-corrected moments, ε added to the corrected root). Label noise
/// replaces y by y + σε with fresh ε ~ N(0, I) (or ±1, Li et al.'s choice) on every step. The learning
/// rate may be annealed to 0 by a cosine over the last part of the run. Tests check it step by step
/// against <c>DiagonalLinearNetwork</c> trained with TorchSharp's optimizers on the same noisy labels.
/// </summary>
internal sealed class DiagonalNetworkDynamics
{
    private readonly double[] x;
    private readonly double[] y;
    private readonly double[] residual;
    private readonly double[] g;
    private readonly double[] beta;
    private readonly double[] gradU;
    private readonly double[] gradV;

    /// <summary>Starts from u = <paramref name="u0"/>, v = <paramref name="v0"/> on the data x (n × d, row-major) and y.</summary>
    public DiagonalNetworkDynamics(double[] features, double[] labels, double[] u0, double[] v0)
    {
        Examples = labels.Length;
        Dimension = u0.Length;
        if (Examples < 1) throw new ArgumentException("At least one example is needed.", nameof(labels));
        if (v0.Length != Dimension) throw new ArgumentException($"u has {Dimension} entries but v has {v0.Length}.", nameof(v0));
        if (features.Length != Examples * Dimension)
            throw new ArgumentException($"features has {features.Length} values; {Examples} examples × {Dimension} features need {Examples * Dimension}.", nameof(features));
        x = (double[])features.Clone();
        y = (double[])labels.Clone();
        U = (double[])u0.Clone();
        V = (double[])v0.Clone();
        residual = new double[Examples];
        g = new double[Dimension];
        beta = new double[Dimension];
        gradU = new double[Dimension];
        gradV = new double[Dimension];
    }

    /// <summary>n.</summary>
    public int Examples { get; }

    /// <summary>Draw the label noise ε as ±1 with equal probability (Li et al.'s code) instead of N(0, 1); same variance.</summary>
    public bool RademacherNoise { get; init; }

    /// <summary>
    /// The fraction of each run, at its end, over which the learning rate falls from η to 0 by a cosine
    /// (0: constant η). Annealing lets both optimisers settle on the point their drift has reached
    /// instead of stopping mid-fluctuation.
    /// </summary>
    public double AnnealFraction { get; init; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>u (updated in place by the steps).</summary>
    public double[] U { get; }

    /// <summary>v (updated in place by the steps).</summary>
    public double[] V { get; }

    /// <summary>β = u ⊙ v.</summary>
    public double[] Beta() => U.Zip(V, (a, b) => a * b).ToArray();

    /// <summary>Clean training loss (1/n)Σ(xᵢᵀβ − yᵢ)².</summary>
    public double Loss()
    {
        ComputeResiduals(null, 0, null);
        return residual.Sum(r => r * r) / Examples;
    }

    /// <summary>
    /// Fills <see cref="GradientU"/> and <see cref="GradientV"/> with the gradient of the loss on labels
    /// y + σε (σ = <paramref name="noise"/>; ε drawn from <paramref name="random"/>, or the given
    /// <paramref name="epsilon"/>, or none when σ = 0).
    /// </summary>
    public void ComputeGradient(double noise, Random? random, double[]? epsilon = null)
    {
        ComputeResiduals(random, noise, epsilon);
        Array.Clear(g);
        int d = Dimension;
        double scale = 2.0 / Examples;
        for (int i = 0; i < Examples; i++)
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(x, i * d, d), scale * residual[i], g, g);
        for (int j = 0; j < d; j++)
        {
            gradU[j] = g[j] * V[j];
            gradV[j] = g[j] * U[j];
        }
    }

    /// <summary>∂L/∂u from the last <see cref="ComputeGradient"/>.</summary>
    public ReadOnlySpan<double> GradientU => gradU;

    /// <summary>∂L/∂v from the last <see cref="ComputeGradient"/>.</summary>
    public ReadOnlySpan<double> GradientV => gradV;

    private void ComputeResiduals(Random? random, double noise, double[]? epsilon)
    {
        int d = Dimension;
        for (int j = 0; j < d; j++) beta[j] = U[j] * V[j];
        for (int i = 0; i < Examples; i++)
        {
            double f = TensorPrimitives.Dot(new ReadOnlySpan<double>(x, i * d, d), beta);
            double e = noise == 0 ? 0 : epsilon?[i] ?? Noise(random ?? throw new ArgumentNullException(nameof(random), "Label noise needs a random generator or given ε."));
            residual[i] = f - y[i] - noise * e;
        }
    }

    private double Noise(Random random) => RademacherNoise ? 2 * random.Next(2) - 1 : Gaussian(random);

    /// <summary>The learning-rate multiplier at step <paramref name="t"/> of <paramref name="steps"/>: 1, then ½(1 + cos(π·s)) over the last <see cref="AnnealFraction"/>, s going from 0 to 1.</summary>
    public double LearningRateScale(long t, long steps)
    {
        double start = steps * (1 - AnnealFraction);
        return AnnealFraction <= 0 || t < start ? 1 : 0.5 * (1 + Math.Cos(Math.PI * (t - start) / (steps * AnnealFraction)));
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary><paramref name="steps"/> SGD steps θ ← θ − η∇L on labels with fresh noise σ = <paramref name="noise"/> each step.</summary>
    public void Sgd(long steps, double learningRate, double noise, Random? random)
    {
        for (long t = 0; t < steps; t++)
        {
            ComputeGradient(noise, random);
            double rate = learningRate * LearningRateScale(t, steps);
            TensorPrimitives.MultiplyAdd(gradU, -rate, U, U);
            TensorPrimitives.MultiplyAdd(gradV, -rate, V, V);
            if ((t & 1023) == 0) ThrowIfDiverged("SGD", t);
        }
    }

    /// <summary><paramref name="steps"/> steps of <paramref name="adam"/> on labels with fresh noise σ = <paramref name="noise"/> each step.</summary>
    public void Adam(AdamState adam, long steps, double noise, Random? random)
    {
        if (adam.Dimension != 2 * Dimension) throw new ArgumentException($"The Adam state is for {adam.Dimension} parameters, not {2 * Dimension}.", nameof(adam));
        for (long t = 0; t < steps; t++)
        {
            ComputeGradient(noise, random);
            adam.Step(U, V, gradU, gradV, LearningRateScale(t, steps));
            if ((t & 1023) == 0) ThrowIfDiverged("Adam", t);
        }
    }

    private void ThrowIfDiverged(string optimizer, long step)
    {
        if (!double.IsFinite(U[0]) || !double.IsFinite(V[0]))
            throw new InvalidOperationException($"{optimizer} diverged (non-finite parameters) by step {step}; lower the learning rate.");
    }

    /// <summary>
    /// Exact tr(H) and tr(diag(H)^½) of the clean loss at the current point: ∂²L/∂u_j² = (2/n)Σᵢ xᵢⱼ² v_j²
    /// and ∂²L/∂v_j² = (2/n)Σᵢ xᵢⱼ² u_j² (the prediction is linear in each u_j, so the residual only
    /// enters the u_j–v_j cross terms, which are off the diagonal).
    /// </summary>
    public (double Trace, double SqrtDiagTrace) HessianDiagonalSums()
    {
        double trace = 0, sqrtDiag = 0;
        for (int j = 0; j < Dimension; j++)
        {
            double c = 0;
            for (int i = 0; i < Examples; i++) c += x[i * Dimension + j] * x[i * Dimension + j];
            c *= 2.0 / Examples;
            double hu = c * V[j] * V[j], hv = c * U[j] * U[j];
            trace += hu + hv;
            sqrtDiag += Math.Sqrt(hu) + Math.Sqrt(hv);
        }
        return (trace, sqrtDiag);
    }
}

/// <summary>PyTorch's Adam (Kingma &amp; Ba 2015, no weight decay) over the two blocks u and v.</summary>
internal sealed class AdamState(int dimension, double learningRate, double beta1, double beta2, double epsilon = 1e-8)
{
    private readonly double[] m = new double[dimension];
    private readonly double[] s = new double[dimension];
    private double beta1Power = 1, beta2Power = 1;

    /// <summary>Number of parameters (|u| + |v|).</summary>
    public int Dimension => dimension;

    /// <summary>One step: m ← β₁m + (1 − β₁)g, s ← β₂s + (1 − β₂)g², θ ← θ − cη·(m/(1 − β₁ᵗ)) / (√(s/(1 − β₂ᵗ)) + ε), c = <paramref name="scale"/>.</summary>
    public void Step(double[] u, double[] v, ReadOnlySpan<double> gu, ReadOnlySpan<double> gv, double scale = 1)
    {
        beta1Power *= beta1;
        beta2Power *= beta2;
        double c1 = scale * learningRate / (1 - beta1Power), c2 = 1 / Math.Sqrt(1 - beta2Power);
        int d = u.Length;
        for (int j = 0; j < 2 * d; j++)
        {
            double grad = j < d ? gu[j] : gv[j - d];
            m[j] = beta1 * m[j] + (1 - beta1) * grad;
            s[j] = beta2 * s[j] + (1 - beta2) * grad * grad;
            double step = c1 * m[j] / (Math.Sqrt(s[j]) * c2 + epsilon);
            if (j < d) u[j] -= step;
            else v[j - d] -= step;
        }
    }
}
