using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Graphs;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The seed paper's Cora experiment: two-layer GATs (Veličković et al., 2018) trained full-graph on the standard
/// semi-supervised split (20 training nodes per class, 500 validation, 1000 test), the same split for every member
/// so test losses are comparable. The landscape's examples are the 140 training nodes; a batch of m of them is
/// scored while the forward pass sees the whole graph. Each member trains through the ML.NET estimator
/// (<c>ml.MulticlassClassification.Trainers.Gat</c>) on the view of all nodes, so it has a model file like the others;
/// it is not a <see cref="StudyPipeline"/> of a training and a test view because a graph is one view whose training
/// and test examples are node sets of the split.
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
    private readonly MLContext ml = new(seed: 0);
    private readonly GraphData graph;
    private readonly NodeSplit split;
    private readonly IDataView nodes;
    private readonly SupervisedTensors nodeTensors;

    public CoraWorkload(StudyDefinition study)
    {
        this.study = study;
        graph = study.DataPath is { } directory ? CoraDataset.Load(directory) : CoraDataset.Load();
        split = CoraDataset.StandardSplit(graph, SplitSeed);
        nodes = graph.ToDataView(ml);
        nodeTensors = SupervisedTensors.FromDataView(nodes, ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
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

        // Through the ML.NET estimator, as a user trains a GAT: the transformer holds the network bound to the graph.
        var trainer = ml.MulticlassClassification.Trainers.Gat(graph.EdgeIndex, options, split);
        var clock = Stopwatch.StartNew();
        var network = trainer.Fit(nodes);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            var fit = trainer.LastFit!;
            if (modelPath != null) SharpnessModelFile.Save(ml, network, nodes.Schema, modelPath);
            return new TrainedMember(network, LossLandscape.ForNetwork(network, nodeTensors), fit.History.Epochs,
                fit.Train.Loss, fit.Test.Loss, 1 - fit.Train.Accuracy, 1 - fit.Test.Accuracy, trainSeconds);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        nodeTensors.Dispose();
        graph.Dispose();
    }
}
