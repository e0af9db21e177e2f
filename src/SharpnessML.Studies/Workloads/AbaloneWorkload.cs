using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's Abalone experiment: FCNNs 10-64-64-1 with ELU and plain SGD on the reference 80/20 split. Features
/// and label are standardised with statistics of the training split only; the fitted ML.NET preprocessing chain is
/// shared by every member and saved with each model file. Losses are MSE on the standardised label.
/// </summary>
internal sealed class AbaloneWorkload : IStudyWorkload
{
    /// <summary>The SHA-256 of the study's <c>abalone.data</c> (the bundled one unless the study names a file).</summary>
    public static string Fingerprint(StudyDefinition study) =>
        study.DataPath is { } abalone ? DataFingerprint.Of("Abalone data file", InputFile.MaxTextBytes, abalone) : AbaloneDataset.BundledSha256;

    private readonly StudyDefinition study;
    private readonly MLContext ml = new(seed: 0);
    private readonly ITransformer preprocessing;
    private readonly DataViewSchema rawSchema;
    private readonly SupervisedTensors train, test;

    public AbaloneWorkload(StudyDefinition study)
    {
        this.study = study;
        var split = AbaloneDataset.Split(ml, study.DataPath is { } path ? AbaloneDataset.Load(ml, path) : AbaloneDataset.Load(ml));
        rawSchema = split.TrainSet.Schema;
        preprocessing = AbaloneDataset.FeaturePipeline(ml).Fit(split.TrainSet);
        // Materialise the preprocessed splits once; every member reads the same tensors.
        train = SupervisedTensors.FromDataView(ml.Data.Cache(preprocessing.Transform(split.TrainSet)), AbaloneDataset.FeaturesColumn, AbaloneDataset.LabelColumn, NetworkTask.Regression);
        test = SupervisedTensors.FromDataView(ml.Data.Cache(preprocessing.Transform(split.TestSet)), AbaloneDataset.FeaturesColumn, AbaloneDataset.LabelColumn, NetworkTask.Regression);
    }

    public TrainedMember Train(MemberConfiguration member, string? modelPath)
    {
        var options = MlpOptions.SeedPaperAbalone(); // the seed paper's reference FCNN and training
        TrainerHyperparameters.Apply(options, member, study, NetworkTask.Regression);
        var clock = Stopwatch.StartNew();
        var network = ml.Regression.Trainers.Mlp(options).Fit(train, outputCount: 1);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            if (modelPath != null) SharpnessModelFile.Save(ml, new TransformerChain<ITransformer>(preprocessing, network), rawSchema, modelPath);
            return new TrainedMember(network, LossLandscape.ForNetwork(network, train), network.Training!.Epochs,
                MeanLoss(network, train), MeanLoss(network, test), double.NaN, double.NaN, trainSeconds);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The loss over all rows in one forward pass, as the seed paper's notebook computes it (and as before: same bits).</summary>
    private static double MeanLoss(TorchNetworkTransformer network, SupervisedTensors data) =>
        NetworkEvaluation.Evaluate(network.Network, data, network.Loss, batchSize: Math.Max(data.Count, 1)).MeanLoss;

    public void Dispose()
    {
        train.Dispose();
        test.Dispose();
    }
}
