using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

public class GranulatedKendallTests
{
    private static GranulatedObservation Model(string lr, string depth, double measure, double generalization) =>
        new(new Dictionary<string, string> { ["lr"] = lr, ["depth"] = depth }, measure, generalization);

    /// <summary>
    /// Fully crossed grid, lr ∈ {0.1, 0.01} × depth ∈ {2, 4, 8}, (measure μ, generalization g):
    /// <code>
    ///              depth=2   depth=4   depth=8
    ///   lr=0.1     (1, 1)    (2, 2)    (3, 3)
    ///   lr=0.01    (4, 5)    (5, 6)    (6, 4)
    /// </code>
    /// ψ_depth — groups share lr, only depth varies (m = 2 groups of 3 models):
    ///   lr=0.1:  μ 1,2,3 vs g 1,2,3 → all 3 pairs concordant → τ = 1.
    ///   lr=0.01: μ 4,5,6 vs g 5,6,4 → (2,4) concordant, (2,8) and (4,8) discordant → τ = (1 − 2)/3 = −1/3.
    ///   ψ_depth = (1 − 1/3)/2 = 1/3.
    /// ψ_lr — groups share depth, only lr varies (m = 3 groups of 2 models):
    ///   depth=2: (1,1) vs (4,5) concordant → 1; depth=4: (2,2) vs (5,6) → 1; depth=8: (3,3) vs (6,4) → 1.
    ///   ψ_lr = 1.
    /// Ψ = (1/3 + 1)/2 = 2/3. (Plain Kendall τ over all six models would be (13 − 2)/15 = 11/15.)
    /// </summary>
    private static List<GranulatedObservation> Grid() =>
    [
        Model("0.1", "2", 1, 1), Model("0.1", "4", 2, 2), Model("0.1", "8", 3, 3),
        Model("0.01", "2", 4, 5), Model("0.01", "4", 5, 6), Model("0.01", "8", 6, 4),
    ];

    [Theory]
    [InlineData(GranulatedTauVariant.TauA)]
    [InlineData(GranulatedTauVariant.TauB)]
    public void HandComputedGridGivesExpectedPsi(GranulatedTauVariant variant)
    {
        // No ties, so τ-a and τ-b agree.
        var result = GranulatedKendall.Compute(Grid(), variant);

        Assert.Equal(2.0 / 3.0, result.Psi, 14);
        Assert.Equal(1.0 / 3.0, result.PsiOf("depth"), 14);
        Assert.Equal(1.0, result.PsiOf("lr"), 14);
        Assert.Equal(["depth", "lr"], result.Axes.Select(a => a.Axis));
        var depth = result.Axes.Single(a => a.Axis == "depth");
        var lr = result.Axes.Single(a => a.Axis == "lr");
        Assert.Equal((2, 0), (depth.GroupsUsed, depth.GroupsSkipped));
        Assert.Equal((3, 0), (lr.GroupsUsed, lr.GroupsSkipped));
        Assert.Equal(5, result.GroupsUsed);
        Assert.Equal(variant, result.Variant);

        // The granulated coefficient is not the plain Kendall τ of all models.
        var grid = Grid();
        var plain = KendallTau.Compute(grid.Select(m => m.Measure).ToArray(), grid.Select(m => m.Generalization).ToArray());
        Assert.Equal(11.0 / 15.0, plain.Coefficient, 14);
    }

    [Fact]
    public void ResultDoesNotDependOnModelOrder()
    {
        var shuffled = Grid();
        shuffled.Reverse();
        (shuffled[1], shuffled[4]) = (shuffled[4], shuffled[1]);
        var result = GranulatedKendall.Compute(shuffled);
        Assert.Equal(2.0 / 3.0, result.Psi, 14);
        Assert.Equal(1.0 / 3.0, result.PsiOf("depth"), 14);
    }

    [Fact]
    public void TiesCountZeroUnderTauAButSkipTheGroupUnderTauB()
    {
        // As Grid(), but the lr=0.01 row has constant generalization g = 5, 5, 5.
        //   depth axis: lr=0.1 → 1; lr=0.01 → τ-a = 0 (every pair tied in g), τ-b undefined.
        //     τ-a: ψ_depth = (1 + 0)/2 = 1/2;  τ-b: ψ_depth = 1 (one group used, one skipped).
        //   lr axis: (1,1)-(4,5), (2,2)-(5,5), (3,3)-(6,5) all concordant → ψ_lr = 1 for both variants.
        //   Ψ: τ-a (1/2 + 1)/2 = 3/4; τ-b (1 + 1)/2 = 1.
        List<GranulatedObservation> models =
        [
            Model("0.1", "2", 1, 1), Model("0.1", "4", 2, 2), Model("0.1", "8", 3, 3),
            Model("0.01", "2", 4, 5), Model("0.01", "4", 5, 5), Model("0.01", "8", 6, 5),
        ];

        var a = GranulatedKendall.Compute(models, GranulatedTauVariant.TauA);
        Assert.Equal(0.5, a.PsiOf("depth"), 14);
        Assert.Equal(1.0, a.PsiOf("lr"), 14);
        Assert.Equal(0.75, a.Psi, 14);
        Assert.Equal(0, a.Axes.Single(x => x.Axis == "depth").GroupsSkipped);

        var b = GranulatedKendall.Compute(models, GranulatedTauVariant.TauB);
        Assert.Equal(1.0, b.PsiOf("depth"), 14);
        Assert.Equal(1.0, b.Psi, 14);
        var depth = b.Axes.Single(x => x.Axis == "depth");
        Assert.Equal((1, 1), (depth.GroupsUsed, depth.GroupsSkipped));
    }

    [Fact]
    public void IncompleteGridSkipsGroupsWithOneModel()
    {
        // Grid() without (lr=0.01, depth=8):
        //   depth axis: lr=0.1 → 1; lr=0.01: (4,5), (5,6) → 1. ψ_depth = 1 from 2 groups.
        //   lr axis: depth=2 → 1, depth=4 → 1, depth=8 has one model → skipped. ψ_lr = 1 from 2 groups.
        var models = Grid().Where(m => !(m.Hyperparameters["lr"] == "0.01" && m.Hyperparameters["depth"] == "8")).ToList();
        var result = GranulatedKendall.Compute(models);
        Assert.Equal(1.0, result.Psi, 14);
        var lr = result.Axes.Single(a => a.Axis == "lr");
        Assert.Equal((2, 1), (lr.GroupsUsed, lr.GroupsSkipped));
        Assert.Equal(4, result.GroupsUsed);
    }

    [Fact]
    public void AxisWithASingleValueHasNaNPsiAndIsLeftOutOfTheMean()
    {
        // Adding optimizer = "sgd" to every model: each (lr, depth) group holds one model, so ψ_optimizer is
        // undefined; Ψ stays the mean of ψ_depth and ψ_lr = 2/3.
        var models = Grid().Select(m => m with
        {
            Hyperparameters = new Dictionary<string, string>(m.Hyperparameters) { ["optimizer"] = "sgd" },
        }).ToList();
        var result = GranulatedKendall.Compute(models);
        Assert.True(double.IsNaN(result.PsiOf("optimizer")));
        Assert.Equal((0, 6), (result.Axes.Single(a => a.Axis == "optimizer").GroupsUsed,
                             result.Axes.Single(a => a.Axis == "optimizer").GroupsSkipped));
        Assert.Equal(2.0 / 3.0, result.Psi, 14);
        Assert.Throws<KeyNotFoundException>(() => result.PsiOf("momentum"));
    }

    [Fact]
    public void InvalidInputsThrowNamingTheProblem()
    {
        Assert.Throws<ArgumentNullException>(() => GranulatedKendall.Compute(null!));

        var ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute([Model("0.1", "2", 1, 1)]));
        Assert.Contains("at least 2 models", ex.Message);

        var mismatched = Grid();
        mismatched[3] = new GranulatedObservation(new Dictionary<string, string> { ["lr"] = "0.01" }, 4, 5);
        ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute(mismatched));
        Assert.Contains("model 3 has hyperparameter axes [lr]", ex.Message);

        var noAxes = new List<GranulatedObservation>
        {
            new(new Dictionary<string, string>(), 1, 1), new(new Dictionary<string, string>(), 2, 2),
        };
        ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute(noAxes));
        Assert.Contains("no hyperparameter axes", ex.Message);

        var nan = Grid();
        nan[2] = nan[2] with { Measure = double.NaN };
        ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute(nan));
        Assert.Contains("model 2 has a NaN measure", ex.Message);

        var infinite = Grid();
        infinite[5] = infinite[5] with { Generalization = double.PositiveInfinity };
        ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute(infinite));
        Assert.Contains("model 5 has an infinite generalization", ex.Message);

        var nullValue = Grid();
        nullValue[1] = new GranulatedObservation(new Dictionary<string, string> { ["lr"] = "0.1", ["depth"] = null! }, 2, 2);
        ex = Assert.Throws<ArgumentException>(() => GranulatedKendall.Compute(nullValue));
        Assert.Contains("null value for hyperparameter 'depth'", ex.Message);
    }
}
