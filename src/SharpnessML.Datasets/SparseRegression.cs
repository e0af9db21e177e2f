using Microsoft.ML;
using Microsoft.ML.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// Synthetic sparse linear regression, the setting of diagonal-network studies (Woodworth et al. 2020;
/// Li, Wen &amp; Lyu 2025): x ~ N(0, I_d) or uniform on {−1, 1}^d (the features of Li et al.'s experiments),
/// a k-sparse β* — ones on the first k coordinates, or any given β* such as <see cref="RandomSignal"/>
/// draws — and y = xᵀβ* + σ·ε.
/// </summary>
public static class SparseRegression
{
    /// <summary>Generates <paramref name="examples"/> rows with <c>Features</c> (d values) and <c>Label</c>, and the true β*.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="examples">n.</param>
    /// <param name="features">d.</param>
    /// <param name="nonZero">k, the number of non-zero entries of β* (the first k coordinates, value 1).</param>
    /// <param name="noise">σ of the label noise.</param>
    /// <param name="seed">Seed of x and ε.</param>
    /// <param name="distribution">How x is drawn. Default <see cref="SparseRegressionFeatures.Gaussian"/>.</param>
    public static (IDataView Data, float[] Beta) Generate(MLContext mlContext, int examples, int features, int nonZero, double noise, int seed,
        SparseRegressionFeatures distribution = SparseRegressionFeatures.Gaussian)
    {
        if (examples < 1) throw new ArgumentOutOfRangeException(nameof(examples), examples, "At least one example is needed.");
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "At least one feature is needed.");
        if (nonZero < 0 || nonZero > features) throw new ArgumentOutOfRangeException(nameof(nonZero), nonZero, $"nonZero must be in 0..{features}.");
        if (!Enum.IsDefined(distribution)) throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown feature distribution.");
        var beta = Enumerable.Range(0, features).Select(i => i < nonZero ? 1f : 0f).ToArray();
        return (Generate(mlContext, examples, beta, noise, seed, distribution), beta);
    }

    /// <summary>Generates <paramref name="examples"/> rows with <c>Features</c> and <c>Label</c> for the given β*.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="examples">n.</param>
    /// <param name="beta">β* (its length is d).</param>
    /// <param name="noise">σ of the label noise.</param>
    /// <param name="seed">Seed of x and ε.</param>
    /// <param name="distribution">How x is drawn.</param>
    public static IDataView Generate(MLContext mlContext, int examples, float[] beta, double noise, int seed, SparseRegressionFeatures distribution)
    {
        ArgumentNullException.ThrowIfNull(beta);
        int features = beta.Length;
        if (examples < 1) throw new ArgumentOutOfRangeException(nameof(examples), examples, "At least one example is needed.");
        if (features < 1) throw new ArgumentException("β* needs at least one entry.", nameof(beta));
        if (!Enum.IsDefined(distribution)) throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown feature distribution.");
        if (noise < 0) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be non-negative.");
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<Row>(examples);
        for (int n = 0; n < examples; n++)
        {
            var x = new float[features];
            double y = 0;
            for (int j = 0; j < features; j++)
            {
                x[j] = distribution == SparseRegressionFeatures.Rademacher ? (random.Next(2) == 0 ? -1f : 1f) : (float)Gaussian();
                y += x[j] * beta[j];
            }
            rows.Add(new Row { Features = x, Label = (float)(y + noise * Gaussian()) });
        }
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>
    /// A k-sparse β* as Li, Wen &amp; Lyu (2025) draw it: k coordinates chosen uniformly without replacement, each
    /// value uniform on (−1, 1), redrawn until every |β*_j| ≥ 0.01.
    /// </summary>
    /// <param name="features">d.</param>
    /// <param name="nonZero">k.</param>
    /// <param name="seed">Seed of the draw.</param>
    public static float[] RandomSignal(int features, int nonZero, int seed)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "At least one feature is needed.");
        if (nonZero < 0 || nonZero > features) throw new ArgumentOutOfRangeException(nameof(nonZero), nonZero, $"nonZero must be in 0..{features}.");
        var random = new Random(seed);
        var beta = new float[features];
        var support = Enumerable.Range(0, features).ToArray();
        random.Shuffle(support);
        double[] values;
        do values = Enumerable.Range(0, nonZero).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        while (values.Any(v => Math.Abs(v) < 0.01));
        for (int i = 0; i < nonZero; i++) beta[support[i]] = (float)values[i];
        return beta;
    }

    /// <summary>One generated example.</summary>
    public sealed class Row
    {
        /// <summary>x.</summary>
        public float[] Features { get; set; } = Array.Empty<float>();
        /// <summary>y.</summary>
        public float Label { get; set; }
    }
}

/// <summary>The distribution of the features of <see cref="SparseRegression"/>.</summary>
public enum SparseRegressionFeatures
{
    /// <summary>x ~ N(0, I_d).</summary>
    Gaussian,

    /// <summary>x uniform on {−1, 1}^d, as in the experiments of Li, Wen &amp; Lyu (2025): every x_j² = 1, so a diagonal network's Hessian diagonal under MSE is exactly (2v², 2u²).</summary>
    Rademacher,
}
