using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests;

/// <summary>The curvature (GGN, Fisher, K-FAC) and data-free spectral measures in a study file's <c>measures</c> list.</summary>
public sealed class StudyCurvatureAndSpectralMeasuresTests
{
    [Fact]
    public void AStudyTakesTheNewMeasuresByName()
    {
        var definition = TestKit.TestStudies.SmallAbalone();
        definition.Models = 3;
        var names = new[] { "ggn-trace", "fisher-trace", "empirical-fisher-trace", "kfac-trace", "ggn-top-eigenvalues", "alpha-weighted", "stable-rank" };
        foreach (var name in names) definition.Measures.Add(new StudyMeasureSpec { Name = name, Examples = 256 });
        using var execution = StudyExecution.Start(definition, new StudyExecutionOptions());
        var result = execution.Run();
        Assert.Equal(3, result.Members.Count);
        foreach (var member in result.Members)
        foreach (var name in names)
        {
            var value = member.Measurements.Single(m => m.Measure == name).Value;
            Assert.True(double.IsFinite(value) && value > 0, $"{name} = {value}");
        }
        // Each member is its own network, so its curvature is its own.
        Assert.NotEqual(result.Members[0].Measurements.Single(m => m.Measure == "ggn-trace").Value,
            result.Members[1].Measurements.Single(m => m.Measure == "ggn-trace").Value);
    }
}
