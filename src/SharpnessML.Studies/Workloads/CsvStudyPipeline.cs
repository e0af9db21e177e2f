using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.TorchScript;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// A <see cref="StudyDataset.Csv"/> study as a <see cref="StudyPipeline"/>: the CSV file(s) read strictly
/// (<see cref="CsvDataset"/>), split by ML.NET's <c>TrainTestSplit</c> with the recorded seed unless a test file is
/// given, and each member's pipeline <c>NormalizeMeanVariance(Features, fixZero: false)</c> (features standardised on
/// the training split) → the model family's trainer with the member's grid point applied to the trainer's defaults.
/// </summary>
internal static class CsvStudyPipeline
{
    /// <summary>The SHA-256 of the training file, then the test file and the TorchScript module when there are.</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        var data = study.Data!;
        var files = new List<string> { data.Train };
        if (data.Test != null) files.Add(data.Test);
        if (study.Model?.Path is { } module) files.Add(module);
        foreach (var file in files)
            if (!File.Exists(file)) throw new FileNotFoundException($"Study {study.Name}: data file '{file}' does not exist.", file);
        return DataFingerprint.Of(files.ToArray());
    }

    /// <summary>Reads the study's data and returns its pipeline.</summary>
    public static StudyPipeline Create(StudyDefinition study)
    {
        var data = study.Data!;
        var ml = new MLContext(seed: 0);
        Func<MemberConfiguration, IEstimator<ITransformer>> estimator = member => Estimator(ml, study, member);
        if (data.Test is { } testPath)
        {
            var (train, test) = CsvDataset.Load(ml, data.Train, testPath, data.Label, data.Task);
            return new StudyPipeline(train, test, estimator) { DataFingerprint = Fingerprint(study), Description = $"test file {Path.GetFileName(testPath)}" };
        }

        var all = CsvDataset.Load(ml, data.Train, data.Label, data.Task);
        var split = StudyPipeline.FromSplit(ml, all, data.EffectiveTestFraction, data.SplitSeed, estimator);
        return new StudyPipeline(split.Train, split.Test, estimator) { DataFingerprint = Fingerprint(study), Description = split.Description };
    }

    /// <summary>One member's pipeline: standardise the features on the training split, then train.</summary>
    public static IEstimator<ITransformer> Estimator(MLContext ml, StudyDefinition study, MemberConfiguration member)
    {
        var task = study.Data!.Task;
        var standardize = ml.Transforms.NormalizeMeanVariance(CsvDataset.FeaturesColumn, fixZero: false);
        var model = study.Model ?? new StudyModel();
        switch (model.Family)
        {
            case StudyModel.Mlp:
                var mlp = new MlpOptions();
                if (model.HiddenLayerSizes is { } sizes) mlp.HiddenLayerSizes = sizes;
                TrainerHyperparameters.Apply(mlp, member, study, task);
                return standardize.Append(task == NetworkTask.Regression ? ml.Regression.Trainers.Mlp(mlp) : ml.MulticlassClassification.Trainers.Mlp(mlp));
            case StudyModel.TorchScript:
                var fineTuning = new TorchScriptFineTuningOptions { ModelPath = model.Path! };
                TrainerHyperparameters.Apply(fineTuning, member, study, task);
                return standardize.Append(task == NetworkTask.Regression
                    ? ml.Regression.Trainers.FineTuneTorchScript(fineTuning)
                    : ml.MulticlassClassification.Trainers.FineTuneTorchScript(fineTuning));
            default:
                throw new FormatException($"model.family '{model.Family}' is unknown. Known families: {string.Join(", ", StudyModel.Families)}.");
        }
    }
}
