using System.Security.Cryptography;
using Microsoft.ML;

namespace SharpnessML.Studies;

/// <summary>
/// A study over the user's own data and ML.NET pipeline: the training and test views, and a factory that turns one
/// grid point into an estimator — any ML.NET pipeline ending in one of SharpnessML's trainers (MLP, LeNet-5, ViT,
/// TorchScript fine-tuning), with any transforms before it. Each member fits its pipeline on <see cref="Train"/>; its
/// train and test loss and error are the network's on the pipeline's output for <see cref="Train"/> and
/// <see cref="Test"/>, and its measures are taken on the landscape of its training loss. Run it with
/// <see cref="StudyRunner(StudyDefinition, StudyPipeline, Transforms.Evaluation.MeasureRegistry?)"/> or
/// <see cref="StudyExecution.Start(StudyDefinition, StudyPipeline, StudyExecutionOptions?)"/>; the definition supplies
/// the grid, measures, seeds and name (its <c>Dataset</c> is not used).
/// </summary>
public sealed class StudyPipeline
{
    /// <summary>A study over a training and a test view.</summary>
    /// <param name="train">The training rows; every member's pipeline is fitted on them.</param>
    /// <param name="test">The held-out rows.</param>
    /// <param name="createEstimator">
    /// The member's pipeline for its grid point and seed (e.g. set <c>options.Seed = member.Seed</c> and the learning rate
    /// from <c>member.Double("learningRate", …)</c>); it must end in one SharpnessML trainer.
    /// </param>
    public StudyPipeline(IDataView train, IDataView test, Func<MemberConfiguration, IEstimator<ITransformer>> createEstimator)
    {
        Train = train ?? throw new ArgumentNullException(nameof(train));
        Test = test ?? throw new ArgumentNullException(nameof(test));
        CreateEstimator = createEstimator ?? throw new ArgumentNullException(nameof(createEstimator));
    }

    /// <summary>
    /// A study over one view split into training and test rows by ML.NET's <c>TrainTestSplit</c> with
    /// <paramref name="testFraction"/> and <paramref name="seed"/> (recorded in <see cref="Description"/>).
    /// </summary>
    public static StudyPipeline FromSplit(MLContext mlContext, IDataView data, double testFraction, int seed,
        Func<MemberConfiguration, IEstimator<ITransformer>> createEstimator)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        var split = mlContext.Data.TrainTestSplit(data, testFraction, seed: seed);
        return new StudyPipeline(split.TrainSet, split.TestSet, createEstimator)
        {
            Description = $"test fraction {testFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}, split seed {seed}",
        };
    }

    /// <summary>The training rows.</summary>
    public IDataView Train { get; }

    /// <summary>The held-out rows.</summary>
    public IDataView Test { get; }

    /// <summary>Builds the member's estimator.</summary>
    public Func<MemberConfiguration, IEstimator<ITransformer>> CreateEstimator { get; }

    /// <summary>
    /// Rows per forward pass when the members' train and test losses are evaluated. Default 1000 (the trainers'
    /// evaluation batch); 0: every row in one pass, as the seed paper's notebook computes its FCNN losses.
    /// </summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>How the data was split, for reports (e.g. <c>test fraction 0.3, split seed 0</c>); empty when given two views.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// The identity of the data in a study store: a store refuses to mix members trained on different data. Default: the
    /// SHA-256 of both views' rows as text (computed once, when first asked); set it when a cheaper identity exists
    /// (e.g. the files' hash).
    /// </summary>
    public string DataFingerprint
    {
        get => fingerprint ??= Fingerprint(Train, Test);
        init => fingerprint = value;
    }

    private string? fingerprint;

    private static string Fingerprint(params IDataView[] views)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var ml = new MLContext(seed: 0);
        foreach (var view in views)
        {
            using var text = new MemoryStream();
            ml.Data.SaveAsText(view, text, separatorChar: ',', headerRow: true, schema: true);
            hash.AppendData(text.ToArray());
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
