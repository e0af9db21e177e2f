using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.ModelFiles;

/// <summary>The JSON header of a SharpnessML model file: what network it holds and how it is wired.</summary>
public sealed record ModelManifest
{
    /// <summary>Marks the file as ours.</summary>
    public string Format { get; init; } = SharpnessModelFile.FormatName;

    /// <summary>Format version; readers refuse versions they do not know.</summary>
    public int Version { get; init; } = SharpnessModelFile.FormatVersion;

    /// <summary>The network architecture.</summary>
    public required NetworkSpec Network { get; init; }

    /// <summary>Regression or classification.</summary>
    public required NetworkTask Task { get; init; }

    /// <summary>The training loss.</summary>
    public required LossFunction Loss { get; init; }

    /// <summary>Column the network reads.</summary>
    public required string FeatureColumnName { get; init; }

    /// <summary>Label column used in training and for measuring loss.</summary>
    public required string LabelColumnName { get; init; }

    /// <summary>Column the network's prediction or class probabilities go to. Default <c>Score</c> (files written before it was stored).</summary>
    public string ScoreColumnName { get; init; } = ColumnNames.Score;

    /// <summary>Column a classifier's most probable class goes to. Default <c>PredictedLabel</c> (files written before it was stored).</summary>
    public string PredictedLabelColumnName { get; init; } = ColumnNames.PredictedLabel;

    /// <summary>Whether ML.NET transformers followed the network in the saved chain.</summary>
    public bool HasDownstream { get; init; }

    /// <summary>Mean training loss of each epoch, when known.</summary>
    public IReadOnlyList<double>? EpochLosses { get; init; }
}
