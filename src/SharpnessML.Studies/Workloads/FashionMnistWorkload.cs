using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's FashionMNIST experiment: LeNet-5 (reference widths 12/32/256/128, BatchNorm, dropout 0.5) trained
/// with SGD on the 60,000 training images (or the first <see cref="StudyDefinition.TrainExamples"/>), evaluated on the
/// 10,000 test images. The images are read and normalised once; every member trains on the same tensors.
/// </summary>
internal sealed class FashionMnistWorkload : IStudyWorkload
{
    /// <summary>The SHA-256 of the four IDX files (Debian's folder unless the study names one).</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        var directory = study.DataPath ?? FashionMnistDataset.DebianDirectory;
        var train = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
        var test = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
        return DataFingerprint.Of("IDX file", InputFile.MaxIdxBytes, train.Images, train.Labels, test.Images, test.Labels);
    }

    private readonly StudyDefinition study;
    private readonly MLContext ml = new(seed: 0);
    private readonly DataViewSchema schema;
    private readonly SupervisedTensors train, test;

    public FashionMnistWorkload(StudyDefinition study)
    {
        this.study = study;
        var directory = study.DataPath ?? FashionMnistDataset.DebianDirectory;
        var trainFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
        var testFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
        var trainView = FashionMnistDataset.LoadFiles(ml, trainFiles.Images, trainFiles.Labels, study.TrainExamples);
        var testView = FashionMnistDataset.LoadFiles(ml, testFiles.Images, testFiles.Labels);
        schema = testView.Schema;
        train = SupervisedTensors.FromDataView(trainView, ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
        test = SupervisedTensors.FromDataView(testView, ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
    }

    public TrainedMember Train(MemberConfiguration member, string? modelPath)
    {
        var options = LeNet5Options.SeedPaperFashionMnist(); // the seed paper's LeNet-5 training
        TrainerHyperparameters.Apply(options, member, study, NetworkTask.MulticlassClassification);
        if (member.Text(HyperparameterAxes.Dropout) != null)
            options.Architecture = options.Architecture with { DropoutRate = member.Double(HyperparameterAxes.Dropout, 0.5) };
        var clock = Stopwatch.StartNew();
        var network = ml.MulticlassClassification.Trainers.LeNet5(options).Fit(train, FashionMnistDataset.ClassCount);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            if (modelPath != null) SharpnessModelFile.Save(ml, network, schema, modelPath);
            var trainMetrics = NetworkEvaluation.Evaluate(network.Network, train, network.Loss);
            var testMetrics = NetworkEvaluation.Evaluate(network.Network, test, network.Loss);
            return new TrainedMember(network, LossLandscape.ForNetwork(network, train), network.Training!.Epochs,
                trainMetrics.MeanLoss, testMetrics.MeanLoss, 1 - trainMetrics.Accuracy, 1 - testMetrics.Accuracy, trainSeconds);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        train.Dispose();
        test.Dispose();
    }
}
