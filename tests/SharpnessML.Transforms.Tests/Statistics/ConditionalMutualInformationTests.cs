using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

public class ConditionalMutualInformationTests
{
    private static GranulatedObservation Model(string lr, double measure, double generalization) =>
        new(new Dictionary<string, string> { ["lr"] = lr }, measure, generalization);

    /// <summary>
    /// Three models, (lr, μ, g): A = (a, 1, 1), B = (a, 2, 3), C = (b, 3, 2). Six ordered pairs, (V_μ, V_g):
    /// AB (−,−), AC (−,−), BC (−,+), BA (+,+), CA (+,+), CB (+,−).
    /// <para>
    /// S = ∅: p(−,−) = p(+,+) = 1/3, p(−,+) = p(+,−) = 1/6, every marginal 1/2, so
    /// I = 2·(1/3)·ln(4/3) + 2·(1/6)·ln(2/3), H(V_g) = ln 2, Î = (2/3)·log₂(4/3) + (1/3)·log₂(2/3) ≈ 0.0817.
    /// </para>
    /// <para>
    /// S = {lr}: U = (a,a) holds AB (−,−) and BA (+,+): V_μ determines V_g, I_u = ln 2, H_u = ln 2.
    /// U = (a,b) holds AC (−,−), BC (−,+): V_μ constant, I_u = 0, H_u = ln 2; likewise U = (b,a) with CA, CB.
    /// Each U has p = 1/3, so I = (1/3)·ln 2, H = ln 2, Î = 1/3.
    /// </para>
    /// K = min(0.0817, 1/3) = 0.0817.
    /// </summary>
    private static GranulatedObservation[] Example() => [Model("a", 1, 1), Model("a", 2, 3), Model("b", 3, 2)];

    [Fact]
    public void HandComputedExample()
    {
        var result = ConditionalMutualInformation.Compute(Example());

        var unconditional = result.TermFor();
        Assert.Equal(6, unconditional.Pairs);
        Assert.Equal(2.0 / 3 * Math.Log(4.0 / 3) + 1.0 / 3 * Math.Log(2.0 / 3), unconditional.MutualInformation, 14);
        Assert.Equal(Math.Log(2), unconditional.ConditionalEntropy, 14);
        Assert.Equal(2.0 / 3 * Math.Log2(4.0 / 3) + 1.0 / 3 * Math.Log2(2.0 / 3), unconditional.Normalized, 14);
        Assert.Equal(0.0817, unconditional.Normalized, 4);

        var lr = result.TermFor("lr");
        Assert.Equal(Math.Log(2) / 3, lr.MutualInformation, 14);
        Assert.Equal(Math.Log(2), lr.ConditionalEntropy, 14);
        Assert.Equal(1.0 / 3, lr.Normalized, 14);

        Assert.Equal(2, result.Terms.Count);
        Assert.Equal(unconditional.Normalized, result.K, 14);
        var direct = ConditionalMutualInformation.Compute(Example(), ["lr"]);
        Assert.Equal(new[] { "lr" }, direct.Conditioning);
        Assert.Equal(lr.Normalized, direct.Normalized);
    }

    [Fact]
    public void AMeasureThatOrdersLikeGeneralizationHasKOne()
    {
        var models = new[] { Model("a", 1, 10), Model("a", 2, 20), Model("b", 3, 30), Model("b", 4, 40) };
        var result = ConditionalMutualInformation.Compute(models);
        Assert.All(result.Terms, t => Assert.Equal(1, t.Normalized, 14));
        Assert.Equal(1, result.K, 14);
    }

    [Fact]
    public void TwoAxesGiveEverySubsetOfAtMostTwo()
    {
        GranulatedObservation M(string lr, string depth, string width, double m, double g) =>
            new(new Dictionary<string, string> { ["lr"] = lr, ["depth"] = depth, ["width"] = width }, m, g);
        var models = new[] { M("1", "2", "8", 1, 2), M("2", "2", "8", 2, 1), M("1", "4", "16", 3, 3), M("2", "4", "8", 4, 5) };
        var result = ConditionalMutualInformation.Compute(models);
        Assert.Equal(1 + 3 + 3, result.Terms.Count);
        Assert.Equal(result.Terms.Where(t => !double.IsNaN(t.Normalized)).Min(t => t.Normalized), result.K);
        // Every model has its own (depth, lr), so each U value holds one pair: H = 0 and Î is undefined.
        Assert.True(double.IsNaN(result.TermFor("lr", "depth").Normalized));
        Assert.All(result.Terms.Where(t => !double.IsNaN(t.Normalized)), t => Assert.InRange(t.Normalized, 0, 1));
        Assert.Single(ConditionalMutualInformation.Compute(models, maximumAxes: 0).Terms);
    }

    [Fact]
    public void AnUnknownConditioningAxisIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ConditionalMutualInformation.Compute(Example(), ["depth"]));
        Assert.Contains("depth", error.Message);
        Assert.Throws<ArgumentException>(() => ConditionalMutualInformation.Compute([Model("a", 1, 1)]));
    }
}
