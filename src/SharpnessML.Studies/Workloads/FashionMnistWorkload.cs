using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's FashionMNIST experiment as a <see cref="StudyPipeline"/>: LeNet-5 (reference widths 12/32/256/128,
/// BatchNorm, dropout 0.5; <c>LeNet5Options.SeedPaperFashionMnist()</c>) trained with SGD on the 60,000 training images
/// (or the first <see cref="StudyDefinition.TrainExamples"/>), evaluated on the 10,000 test images. The images are read
/// once; each member reads them from memory.
/// </summary>
internal static class FashionMnistWorkload
{
    /// <summary>The SHA-256 of the four IDX files (Debian's folder unless the study names one).</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        var directory = study.DataPath ?? FashionMnistDataset.DebianDirectory;
        var train = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
        var test = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
        return DataFingerprint.Of("IDX file", InputFile.MaxIdxBytes, train.Images, train.Labels, test.Images, test.Labels);
    }

    /// <summary>Reads the images and returns the study's pipeline.</summary>
    public static StudyPipeline Create(StudyDefinition study)
    {
        var ml = new MLContext(seed: 0);
        var directory = study.DataPath ?? FashionMnistDataset.DebianDirectory;
        var trainFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
        var testFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
        var train = FashionMnistDataset.LoadFiles(ml, trainFiles.Images, trainFiles.Labels, study.TrainExamples);
        var test = FashionMnistDataset.LoadFiles(ml, testFiles.Images, testFiles.Labels);
        return new StudyPipeline(train, test, member =>
        {
            var options = LeNet5Options.SeedPaperFashionMnist(); // the seed paper's LeNet-5 training
            TrainerHyperparameters.Apply(options, member, study, NetworkTask.MulticlassClassification);
            if (member.Text(HyperparameterAxes.Dropout) != null)
                options.Architecture = options.Architecture with { DropoutRate = member.Double(HyperparameterAxes.Dropout, 0.5) };
            return ml.MulticlassClassification.Trainers.LeNet5(options);
        })
        {
            DataFingerprint = Fingerprint(study),
            Description = study.TrainExamples is { } n ? $"the first {n} training images, the 10,000 test images" : "the 60,000 training and 10,000 test images",
        };
    }
}
