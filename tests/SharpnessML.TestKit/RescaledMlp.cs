using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;

namespace SharpnessML.TestKit;

/// <summary>
/// One 4-3-1 ReLU network and its rescaled copies: first layer (weights and biases) × α, output
/// weights ÷ α. Every copy computes the same function — the same loss — but its Hessian is not the
/// same (Dinh et al., 2017). Under MSE L = (1/n) Σ rᵢ² and a ReLU network every ∂²f/∂θⱼ² vanishes, so
/// tr H = (2/n) Σᵢ ‖∇θ f(xᵢ)‖² = (2/n) Σᵢ [α² ‖hᵢ‖² + α⁻² Σₖ vₖ² 1[zₖ(xᵢ) > 0] (‖xᵢ‖² + 1) + 1]
/// with hᵢ, zᵢ, v those of α = 1: the exact trace of every copy, computed here in double precision.
/// </summary>
internal static class RescaledMlp
{
    public static readonly string Csv = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "data.csv");

    private static readonly double[,] W = { { 0.5, -0.3, 0.8, 0.1 }, { -0.4, 0.6, 0.2, -0.7 }, { 0.3, 0.9, -0.5, 0.4 } };
    private static readonly double[] B = { 0.1, -0.2, 0.3 };
    private static readonly double[] V = { 0.7, -0.5, 0.6 };
    private const double C = 0.05;

    /// <summary>The raw rows of data.csv: a, b, c, d, target.</summary>
    public static IDataView Load(MLContext ml) => ml.Data.LoadFromTextFile(Csv, new[]
    {
        new TextLoader.Column("a", DataKind.Single, 0), new TextLoader.Column("b", DataKind.Single, 1),
        new TextLoader.Column("c", DataKind.Single, 2), new TextLoader.Column("d", DataKind.Single, 3),
        new TextLoader.Column("target", DataKind.Single, 4),
    }, separatorChar: ',', hasHeader: true);

    /// <summary>Concatenate a..d into Features, then the network rescaled by <paramref name="alpha"/>.</summary>
    public static ITransformer Model(MLContext ml, IDataView raw, double alpha)
    {
        var concat = ml.Transforms.Concatenate("Features", "a", "b", "c", "d").Fit(raw);
        return new TransformerChain<ITransformer>(concat, Network(ml, alpha));
    }

    /// <summary>The network alone (reads a 4-wide Features column, label 'target').</summary>
    public static TorchNetworkTransformer Network(MLContext ml, double alpha)
    {
        var spec = new MlpSpec(new[] { 4, 3, 1 }, Activation.Relu);
        var network = new MlpNetwork(spec);
        using (torch.no_grad())
        {
            var w = new float[12];
            for (int k = 0; k < 3; k++) for (int l = 0; l < 4; l++) w[k * 4 + l] = (float)(alpha * W[k, l]);
            network.Layers[0].weight!.copy_(torch.tensor(w, new long[] { 3, 4 }));
            network.Layers[0].bias!.copy_(torch.tensor(B.Select(b => (float)(alpha * b)).ToArray()));
            network.Layers[1].weight!.copy_(torch.tensor(V.Select(v => (float)(v / alpha)).ToArray(), new long[] { 1, 3 }));
            network.Layers[1].bias!.copy_(torch.tensor(new[] { (float)C }));
        }
        return new TorchNetworkTransformer(ml, spec, network, NetworkTask.Regression, LossFunction.MeanSquaredError, "Features", "target");
    }

    /// <summary>The exact Hessian trace of the copy rescaled by <paramref name="alpha"/> (see the class summary).</summary>
    public static double ExactTrace(double alpha)
    {
        var rows = File.ReadLines(Csv).Skip(1).Select(l => l.Split(',').Take(4).Select(s => (double)float.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToList();
        double sum = 0;
        foreach (var x in rows)
        {
            double xx = x.Sum(v => v * v);
            sum += 1;
            for (int k = 0; k < 3; k++)
            {
                double z = B[k] + Enumerable.Range(0, 4).Sum(l => W[k, l] * x[l]);
                if (z <= 0) continue;
                sum += alpha * alpha * z * z + V[k] * V[k] * (xx + 1) / (alpha * alpha);
            }
        }
        return 2 * sum / rows.Count;
    }
}
