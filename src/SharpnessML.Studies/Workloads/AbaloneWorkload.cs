using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's Abalone experiment as a <see cref="StudyPipeline"/>: FCNNs 10-64-64-1 with ELU and plain SGD
/// (<c>MlpOptions.SeedPaperAbalone()</c>) on the reference 80/20 split; each member's pipeline is
/// <see cref="AbaloneDataset.FeaturePipeline"/> (features and label standardised with statistics of the training split
/// only) → the MLP. Losses are MSE on the standardised label, over all rows in one forward pass as the paper's
/// notebook computes them.
/// </summary>
internal static class AbaloneWorkload
{
    /// <summary>The SHA-256 of the study's <c>abalone.data</c> (the bundled one unless the study names a file).</summary>
    public static string Fingerprint(StudyDefinition study) =>
        study.DataPath is { } abalone ? DataFingerprint.Of("Abalone data file", InputFile.MaxTextBytes, abalone) : AbaloneDataset.BundledSha256;

    /// <summary>Reads the data and returns the study's pipeline.</summary>
    public static StudyPipeline Create(StudyDefinition study)
    {
        var ml = new MLContext(seed: 0);
        var split = AbaloneDataset.Split(ml, study.DataPath is { } path ? AbaloneDataset.Load(ml, path) : AbaloneDataset.Load(ml));
        return new StudyPipeline(ml.Data.Cache(split.TrainSet), ml.Data.Cache(split.TestSet), member =>
        {
            var options = MlpOptions.SeedPaperAbalone(); // the seed paper's reference FCNN and training
            TrainerHyperparameters.Apply(options, member, study, NetworkTask.Regression);
            return AbaloneDataset.FeaturePipeline(ml).Append(ml.Regression.Trainers.Mlp(options));
        })
        {
            DataFingerprint = Fingerprint(study),
            EvaluationBatchSize = 0,
            Description = $"the reference split: {AbaloneDataset.TestFraction:P0} held out, split seed {AbaloneDataset.SplitSeed}",
        };
    }
}
