using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.TorchScript;
using SharpnessML.Trainers.Training;
using SharpnessML.Trainers.VisionTransformer;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// A study over the user's files (<see cref="StudyDataset.Csv"/>, <see cref="StudyDataset.Idx"/>) as a
/// <see cref="StudyPipeline"/>: the files read strictly (<see cref="CsvDataset"/>, <see cref="IdxDataset"/>), split by
/// ML.NET's <c>TrainTestSplit</c> with the recorded seed unless test files are given, and each member's pipeline the
/// model family's trainer with the member's grid point applied to the trainer's defaults — after
/// <c>NormalizeMeanVariance(Features, fixZero: false)</c> for a CSV's features (standardised on the training split;
/// images keep their pixel scaling).
/// </summary>
internal static class UserDataPipeline
{
    /// <summary>The SHA-256 of the data files (training, then test), then of the TorchScript module when there is one.</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        var files = Files(study).ToList();
        foreach (var file in files)
            if (!File.Exists(file)) throw new FileNotFoundException($"Study {study.Name}: data file '{file}' does not exist.", file);
        var data = files.Where(f => f != study.Model?.Path).ToArray();
        foreach (var file in data) InputFile.Check(file, study.Dataset == StudyDataset.Idx ? "IDX file" : "CSV file", study.Dataset == StudyDataset.Idx ? InputFile.MaxIdxBytes : InputFile.MaxTextBytes);
        if (study.Model?.Path is { } module) InputFile.Check(module, "TorchScript file", InputFile.MaxModelBytes);
        return DataFingerprint.Of("data file", InputFile.MaxModelBytes + InputFile.MaxIdxBytes, files.ToArray());
    }

    private static IEnumerable<string> Files(StudyDefinition study)
    {
        var data = study.Data!;
        var files = study.Dataset == StudyDataset.Idx
            ? new[] { data.Images, data.Labels, data.TestImages, data.TestLabels }
            : new[] { data.Train, data.Test };
        return files.Append(study.Model?.Path).Where(f => f != null).Select(f => f!);
    }

    /// <summary>Reads the study's data and returns its pipeline.</summary>
    public static StudyPipeline Create(StudyDefinition study)
    {
        var data = study.Data!;
        var ml = new MLContext(seed: 0);
        IDataView train;
        IDataView? test;
        Func<MemberConfiguration, IEstimator<ITransformer>> estimator;
        if (study.Dataset == StudyDataset.Idx)
        {
            var scaling = data.Pixels switch { "unit" => IdxPixelScaling.Unit, "raw" => IdxPixelScaling.Raw, _ => IdxPixelScaling.FashionMnist };
            var images = IdxDataset.Load(ml, data.Images!, data.Labels!, data.TestImages, data.TestLabels, scaling);
            (train, test) = (images.Train, images.Test);
            int side = SquareSide(images.ImageDimensions, data.Images!, study.Model?.Family ?? StudyModel.Mlp);
            estimator = member => Trainer(ml, study, member, NetworkTask.MulticlassClassification, side, images.Classes);
        }
        else
        {
            if (data.Test is { } testPath) (train, test) = CsvDataset.Load(ml, data.Train, testPath, data.Label, data.Task);
            else (train, test) = (CsvDataset.Load(ml, data.Train, data.Label, data.Task), null);
            var standardize = ml.Transforms.NormalizeMeanVariance(CsvDataset.FeaturesColumn, fixZero: false);
            estimator = member => standardize.Append(Trainer(ml, study, member, data.Task, 0, 0));
        }

        if (test != null) return new StudyPipeline(train, test, estimator) { DataFingerprint = Fingerprint(study), Description = "test files" };
        var split = StudyPipeline.FromSplit(ml, train, data.EffectiveTestFraction, data.SplitSeed, estimator);
        return new StudyPipeline(split.Train, split.Test, estimator) { DataFingerprint = Fingerprint(study), Description = split.Description };
    }

    private static int SquareSide(IReadOnlyList<int> dimensions, string path, string family)
    {
        if (family is not (StudyModel.LeNet5 or StudyModel.VisionTransformer)) return 0;
        if (dimensions.Count != 2 || dimensions[0] != dimensions[1])
            throw new InvalidDataException($"IDX file '{path}' holds images [{string.Join(", ", dimensions)}]; model family '{family}' needs square images [h, h].");
        return dimensions[0];
    }

    /// <summary>One member's trainer: the family's defaults with the grid point applied.</summary>
    private static IEstimator<ITransformer> Trainer(MLContext ml, StudyDefinition study, MemberConfiguration member, NetworkTask task, int side, int classes)
    {
        var model = study.Model ?? new StudyModel();
        bool regression = task == NetworkTask.Regression;
        switch (model.Family)
        {
            case StudyModel.Mlp:
                var mlp = new MlpOptions();
                if (model.HiddenLayerSizes is { } sizes) mlp.HiddenLayerSizes = sizes;
                TrainerHyperparameters.Apply(mlp, member, study, task);
                return regression ? ml.Regression.Trainers.Mlp(mlp) : ml.MulticlassClassification.Trainers.Mlp(mlp);
            case StudyModel.LeNet5:
                var lenet = new LeNet5Options();
                lenet.Architecture = lenet.Architecture with { ImageSize = side, Classes = classes };
                if (member.Text(HyperparameterAxes.Dropout) != null)
                    lenet.Architecture = lenet.Architecture with { DropoutRate = member.Double(HyperparameterAxes.Dropout, lenet.Architecture.DropoutRate) };
                TrainerHyperparameters.Apply(lenet, member, study, task);
                return ml.MulticlassClassification.Trainers.LeNet5(lenet);
            case StudyModel.VisionTransformer:
                var vit = new VisionTransformerOptions();
                vit.Architecture = vit.Architecture with { ImageSize = side, Classes = classes };
                TrainerHyperparameters.Apply(vit, member, study, task);
                return ml.MulticlassClassification.Trainers.VisionTransformer(vit);
            case StudyModel.TorchScript:
                var fineTuning = new TorchScriptFineTuningOptions { ModelPath = model.Path! };
                TrainerHyperparameters.Apply(fineTuning, member, study, task);
                return regression ? ml.Regression.Trainers.FineTuneTorchScript(fineTuning) : ml.MulticlassClassification.Trainers.FineTuneTorchScript(fineTuning);
            default:
                throw new FormatException($"model.family '{model.Family}' is unknown. Known families: {string.Join(", ", StudyModel.Families)}.");
        }
    }
}
