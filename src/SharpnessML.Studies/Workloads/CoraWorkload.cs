using SharpnessML.Trainers.Data;
using System.Diagnostics;
using SharpnessML.Trainers.Graphs;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's Cora experiment: two-layer GATs (Veličković et al., 2018) trained full-graph on the standard
/// semi-supervised split (20 training nodes per class, 500 validation, 1000 test), the same split for every member
/// so test losses are comparable. The landscape's examples are the 140 training nodes; a batch of m of them is
/// scored while the forward pass sees the whole graph.
/// </summary>
internal sealed class CoraWorkload : IStudyWorkload
{
    /// <summary>The SHA-256 of the Cora files (the bundled ones unless the study names a folder), in ordinal order of their names.</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        if (study.DataPath is not { } cora) return CoraDataset.BundledSha256;
        if (!Directory.Exists(cora)) throw new DirectoryNotFoundException($"Cora folder {cora} does not exist.");
        return DataFingerprint.Of("Graph file", InputFile.MaxTextBytes, Directory.GetFiles(cora, "cora.*").Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Seed of the node split shared by every member.</summary>
    public const int SplitSeed = 0;

    private readonly StudyDefinition study;
    private readonly GraphData graph;
    private readonly NodeSplit split;

    public CoraWorkload(StudyDefinition study)
    {
        this.study = study;
        graph = study.DataPath is { } directory ? CoraDataset.Load(directory) : CoraDataset.Load();
        split = CoraDataset.StandardSplit(graph, SplitSeed);
    }

    public TrainedMember Train(MemberConfiguration member, string? modelPath)
    {
        var options = new GatOptions { Seed = member.Seed };
        TrainerHyperparameters.Apply(options.Optimizer, member);
        options.Heads = member.Int(HyperparameterAxes.Heads, options.Heads);
        options.MaxEpochs = member.Int(HyperparameterAxes.Epochs, study.MaxEpochs ?? options.MaxEpochs);
        if (member.Text(HyperparameterAxes.BatchSize) != null) options.TrainingNodesPerStep = member.Int(HyperparameterAxes.BatchSize, 0);
        if (member.Text(HyperparameterAxes.Dropout) != null)
        {
            options.Dropout = member.Double(HyperparameterAxes.Dropout, options.Dropout);
            options.AttentionDropout = options.Dropout;
        }

        var clock = Stopwatch.StartNew();
        var model = GatTrainingLoop.Train(graph, split, options);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        _ = modelPath; // GAT members have no model file yet (the graph is not part of an ML.NET pipeline).
        return new TrainedMember(model, GraphLossLandscape.ForGat(model), model.History.Epochs,
            model.TrainMetrics.Loss, model.TestMetrics.Loss, 1 - model.TrainMetrics.Accuracy, 1 - model.TestMetrics.Accuracy, trainSeconds);
    }

    public void Dispose() => graph.Dispose();
}
