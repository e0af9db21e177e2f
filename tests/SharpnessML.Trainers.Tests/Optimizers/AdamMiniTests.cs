using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Optimizers;

public class AdamMiniTests
{
    // L = Σ ½ c ⊙ p² + d ⊙ p over a 2×3 weight and a 2-vector bias; ∂L/∂p = c ⊙ p + d.
    private static readonly double[] W0 = { 1.0, -2.0, 0.5, 0.3, 0.0, -1.5 }, Cw = { 1, 2, 3, 0.5, 1, 4 }, Dw = { 0.1, -0.2, 0.3, 1.0, -1.0, 0.0 };
    private static readonly double[] B0 = { 0.4, -0.7 }, Cb = { 2, 1 }, Db = { -0.5, 0.25 };

    private static double[] Gradient(double[] p, double[] c, double[] d) => p.Select((x, i) => c[i] * x + d[i]).ToArray();

    [Fact]
    public void AdamMiniKeepsOneSecondMomentPerOutputNeuronAndOnePerVector()
    {
        const double lr = 0.05, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 0.1;
        using var w = new Parameter(torch.tensor(W0, new long[] { 2, 3 }, float64));
        using var b = new Parameter(torch.tensor(B0, float64));
        using var cw = torch.tensor(Cw, new long[] { 2, 3 }, float64);
        using var dw = torch.tensor(Dw, new long[] { 2, 3 }, float64);
        using var cb = torch.tensor(Cb, float64);
        using var db = torch.tensor(Db, float64);
        using var half = torch.tensor(0.5, float64);
        var options = new OptimizerOptions { Kind = OptimizerKind.AdamMini, LearningRate = lr, WeightDecay = decay };
        using var optimizer = OptimizerFactory.Create([w, b], options);
        Assert.IsType<AdamMini>(optimizer);

        // Reference: blocks are the two rows of w (3 entries each) and the whole of b.
        double[] wRef = (double[])W0.Clone(), bRef = (double[])B0.Clone();
        double[] mW = new double[6], mB = new double[2], vRows = new double[2];
        double vBias = 0;
        for (int t = 1; t <= 2; t++)
        {
            var gw = Gradient(wRef, Cw, Dw);
            var gb = Gradient(bRef, Cb, Db);
            double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
            for (int r = 0; r < 2; r++)
            {
                double meanSquare = (gw[3 * r] * gw[3 * r] + gw[3 * r + 1] * gw[3 * r + 1] + gw[3 * r + 2] * gw[3 * r + 2]) / 3;
                vRows[r] = beta2 * vRows[r] + (1 - beta2) * meanSquare;
                for (int j = 0; j < 3; j++)
                {
                    int i = 3 * r + j;
                    mW[i] = beta1 * mW[i] + (1 - beta1) * gw[i];
                    wRef[i] = wRef[i] * (1 - lr * decay) - lr * (mW[i] / c1) / (Math.Sqrt(vRows[r] / c2) + eps);
                }
            }
            vBias = beta2 * vBias + (1 - beta2) * (gb[0] * gb[0] + gb[1] * gb[1]) / 2;
            for (int i = 0; i < 2; i++)
            {
                mB[i] = beta1 * mB[i] + (1 - beta1) * gb[i];
                bRef[i] = bRef[i] * (1 - lr * decay) - lr * (mB[i] / c1) / (Math.Sqrt(vBias / c2) + eps);
            }

            optimizer.step(() =>
            {
                optimizer.zero_grad();
                var loss = cw.mul(w.square()).mul(half).sum().add(dw.mul(w).sum())
                    .add(cb.mul(b.square()).mul(half).sum()).add(db.mul(b).sum());
                loss.backward();
                return loss;
            });
            var wValues = w.detach().data<double>().ToArray();
            var bValues = b.detach().data<double>().ToArray();
            for (int i = 0; i < 6; i++) Assert.Equal(wRef[i], wValues[i], 12);
            for (int i = 0; i < 2; i++) Assert.Equal(bRef[i], bValues[i], 12);
        }
    }
}
