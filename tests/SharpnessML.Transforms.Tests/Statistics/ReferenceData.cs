using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

/// <summary>A pair of samples with SciPy's results for them.</summary>
/// <param name="X">First sample.</param>
/// <param name="Y">Second sample.</param>
/// <param name="Kendall">(statistic, pvalue) of scipy.stats.kendalltau(x, y).</param>
/// <param name="KendallMethod">The p-value path SciPy's method='auto' takes for these data.</param>
/// <param name="Spearman">(statistic, pvalue) of scipy.stats.spearmanr(x, y).</param>
/// <param name="Pearson">(statistic, pvalue) of scipy.stats.pearsonr(x, y).</param>
public sealed record ReferenceCase(
    double[] X, double[] Y,
    (double Coefficient, double PValue) Kendall, string KendallMethod,
    (double Coefficient, double PValue) Spearman,
    (double Coefficient, double PValue) Pearson);

/// <summary>
/// Expected values computed once with SciPy 1.10.1 (NumPy 1.24.2, Debian's /usr/bin/python3) by
/// tests/SharpnessML.TestKit/Data/statistics_reference.py, calling with default arguments
/// scipy.stats.kendalltau(x, y) (method='auto', variant='b'), scipy.stats.spearmanr(x, y) and
/// scipy.stats.pearsonr(x, y), all two-sided; numbers are Python reprs (round-trip precision).
/// </summary>
public static class ReferenceData
{
    public static readonly IReadOnlyDictionary<string, ReferenceCase> Cases = new Dictionary<string, ReferenceCase>
    {
        // n = 10, no ties, positive association (exact Kendall path).
        ["Small"] = new(
            X: [1.2, 3.4, 2.2, 5.1, 4.4, 6.0, 7.3, 6.6, 9.1, 8.0],
            Y: [0.5, 1.9, 1.1, 2.0, 3.3, 2.8, 4.1, 5.0, 4.7, 6.2],
            Kendall: (0.7777777777777777, 0.0009463183421516755),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (0.9030303030303028, 0.00034361219776328223),
            Pearson: (0.8976212735041428, 0.0004240703855391966)),
        // n = 8, no ties, negative association (exact Kendall path).
        ["SmallNegative"] = new(
            X: [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.5, 6.0],
            Y: [2.7, 8.1, 2.8, 1.8, 2.4, 0.4, 5.9, 0.5],
            Kendall: (-0.6428571428571428, 0.03115079365079365),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (-0.7380952380952381, 0.03655276105286081),
            Pearson: (-0.7146391296359543, 0.046369425451174597)),
        // n = 12, ties in x and in y, some pairs tied in both (normal-approximation Kendall path).
        ["Ties"] = new(
            X: [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 5.0, 6.0, 7.0, 7.0],
            Y: [2.0, 1.0, 3.0, 3.0, 3.0, 4.0, 4.0, 6.0, 5.0, 6.0, 8.0, 7.0],
            Kendall: (0.8925924666248365, 0.00013849036431138006),
            KendallMethod: CorrelationResult.NormalApproximationMethod,
            Spearman: (0.9570677210270172, 1.068656939239439e-06),
            Pearson: (0.9508467747440154, 2.0801546599480526e-06)),
        // n = 50, no ties, moderate positive association (n > 33: normal-approximation Kendall path).
        ["Study50"] = new(
            X: [-1.3079, 1.1219, 0.6708, 0.5913, 0.9699, 0.145, 0.4268, -0.7127, -0.4535, 0.3548, -1.1128, 1.1545, 1.1465, 1.2276, -0.204, 0.7486, 1.4459, 1.9441, -0.8069, -0.2285, -0.2271, 1.5393, -1.9466, -0.244, 0.1229, -0.5116, -0.3537, 1.4851, -1.4757, 0.6148, -2.0517, -0.5201, -0.0105, -1.947, 0.1193, 0.8143, 0.1876, 1.7027, -0.7093, 1.5606, -0.4059, 2.4226, 1.3756, 0.3451, 0.2343, -1.2905, 1.334, -3.0914, 0.98, -0.6385],
            Y: [-0.2106, 0.8839, 0.4171, 0.2143, 0.1962, 0.3647, -1.0883, -2.045, -1.3482, 0.1055, -0.9392, -1.1615, 1.2926, 0.6407, 1.0343, 0.4103, -1.0466, 1.3766, -1.5526, 0.124, -1.4908, 1.3914, 0.7614, 0.4909, 0.6842, 0.3205, -0.4552, -1.0372, -1.3139, -0.1379, -2.6081, -1.7718, 0.2783, -1.7613, -1.0164, 1.653, -0.5055, -0.4428, -1.0294, 1.2958, 1.9236, 3.1811, 0.4396, -0.9992, -0.2418, -0.2811, 0.6489, -1.7707, -0.592, -0.8575],
            Kendall: (0.37142857142857144, 0.00014122651246582704),
            KendallMethod: CorrelationResult.NormalApproximationMethod,
            Spearman: (0.5084753901560624, 0.0001631658917212161),
            Pearson: (0.5555106073041988, 2.8201773977997405e-05)),
        // n = 50, many ties (values on an integer grid), negative association (normal-approximation Kendall path).
        ["StudyTies50"] = new(
            X: [1.0, 5.0, 1.0, 8.0, 1.0, 7.0, 6.0, 9.0, 5.0, 5.0, 4.0, 5.0, 6.0, 7.0, 6.0, 10.0, 7.0, 1.0, 5.0, 4.0, 1.0, 5.0, 6.0, 0.0, 6.0, 3.0, 10.0, 5.0, 9.0, 8.0, 6.0, 0.0, 6.0, 2.0, 6.0, 4.0, 4.0, 3.0, 9.0, 9.0, 2.0, 3.0, 8.0, 6.0, 6.0, 7.0, 5.0, 6.0, 5.0, 4.0],
            Y: [-1.0, -4.0, -1.0, -7.0, 0.0, -6.0, -1.0, -3.0, -3.0, -5.0, -5.0, -2.0, -6.0, -5.0, -5.0, -6.0, -10.0, 0.0, -4.0, -3.0, 4.0, -3.0, -6.0, -2.0, -2.0, -2.0, -8.0, -3.0, -5.0, -7.0, -3.0, -2.0, -5.0, -2.0, -4.0, 0.0, -1.0, -2.0, -7.0, -5.0, -4.0, -1.0, -6.0, -5.0, -3.0, -4.0, -8.0, -5.0, -2.0, -4.0],
            Kendall: (-0.5942507486529014, 2.7246169763526168e-08),
            KendallMethod: CorrelationResult.NormalApproximationMethod,
            Spearman: (-0.7382819542788538, 9.435128551728328e-10),
            Pearson: (-0.6997046033229603, 1.569029499099103e-08)),
        // n = 33, no ties: the largest n for which SciPy always uses the exact Kendall distribution.
        ["Boundary33"] = new(
            X: [-1.203, 2.5658, 0.4016, 0.3424, 0.2841, 0.6985, 0.0266, -0.1734, 0.1945, -2.7858, -0.8142, 0.6545, 0.1386, -0.6156, -2.8497, 0.1142, -1.2887, -0.2709, 0.0677, -1.1925, -0.2212, 0.5509, 0.9936, -0.0827, -0.3128, 0.4374, -0.4356, 1.727, 0.5434, -1.1676, 1.0109, 1.0203, -1.4849],
            Y: [0.0537, 0.5067, -0.6961, 1.4463, 3.5382, 0.2324, 1.8843, -0.6929, 0.6103, 0.6092, 1.4679, -0.7407, -2.3797, 1.4956, -1.5839, -0.8758, -2.4399, 1.0382, 0.4235, 0.0913, -0.4597, -0.0279, -0.1446, -1.0805, -1.4416, 0.4133, 0.2243, 1.8987, -1.9897, -0.0423, 2.461, 2.0554, -1.6698],
            Kendall: (0.20075757575757577, 0.10407611480210795),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (0.30782085561497324, 0.08138417704348484),
            Pearson: (0.3089698134046461, 0.08019545672001016)),
        // n = 40, no ties, one discordant pair: exact Kendall path although n > 33 (min(D, P - D) <= 1).
        ["OneSwap40"] = new(
            X: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0],
            Y: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 22.0, 21.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0],
            Kendall: (0.9974358974358974, 9.804939513027087e-47),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (0.9998123827392121, 1.0477258152676955e-66),
            Pearson: (0.9998123827392122, 1.047725815255913e-66)),
        // n = 5, no ties, C = D = 5: tau = 0 at the centre of the exact distribution (p = 1).
        ["Centre5"] = new(
            X: [1.0, 2.0, 3.0, 4.0, 5.0],
            Y: [3.0, 1.0, 5.0, 4.0, 2.0],
            Kendall: (0.0, 1.0),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (0.09999999999999999, 0.8728885715695383),
            Pearson: (0.10000000000000003, 0.8728885715695383)),
        // n = 35, no ties, perfectly reversed: exact Kendall path with no concordant pair (p = 2/35!).
        ["Reversed35"] = new(
            X: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0],
            Y: [35.0, 34.0, 33.0, 32.0, 31.0, 30.0, 29.0, 28.0, 27.0, 26.0, 25.0, 24.0, 23.0, 22.0, 21.0, 20.0, 19.0, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0],
            Kendall: (-1.0, 1.935518591726378e-40),
            KendallMethod: CorrelationResult.ExactMethod,
            Spearman: (-1.0, 0.0),
            Pearson: (-0.9999999999999999, 0.0)),
    };

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            names.Add(name);
        }

        return names;
    }
}
