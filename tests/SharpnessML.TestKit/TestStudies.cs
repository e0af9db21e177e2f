using SharpnessML.Studies;

namespace SharpnessML.TestKit;

/// <summary>Studies several test projects run.</summary>
internal static class TestStudies
{
    /// <summary>
    /// The seed paper's Abalone study cut down to 6 models, 1 epoch and 2 batches of 3 steps: what
    /// <c>reproduce abalone --models 6 --epochs 1 --sharpness-batches 2 --sharpness-steps 3</c> runs.
    /// </summary>
    public static StudyDefinition SmallAbalone()
    {
        var definition = SeedPaperStudies.Abalone();
        definition.Models = 6;
        definition.MaxEpochs = 1;
        definition.Measures[0].Batches = 2;
        definition.Measures[0].Steps = 3;
        return definition;
    }
}
