using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// Trains a <see cref="StudyPipeline"/>'s members: fits the member's estimator on the training view, finds the network
/// at its end, and evaluates the network on the pipeline's output for the training and test views (read once per
/// member into tensors, since the transforms before the network are the member's own).
/// </summary>
internal sealed class PipelineWorkload : IStudyWorkload
{
    private readonly StudyPipeline pipeline;
    private readonly MLContext ml = new(seed: 0);

    public PipelineWorkload(StudyPipeline pipeline) => this.pipeline = pipeline;

    public TrainedMember Train(MemberConfiguration member, string? modelPath)
    {
        var estimator = pipeline.CreateEstimator(member)
            ?? throw new InvalidOperationException($"The study's pipeline factory returned no estimator for member {member.Index}.");
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(pipeline.Train);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        SupervisedTensors? train = null, test = null;
        try
        {
            var (upstream, network, _) = SharpnessModelFile.Split(model);
            if (network.IsGraphNetwork)
                throw new NotSupportedException("A study pipeline's network must score rows one at a time; a graph network (GAT) trains in the Cora workload.");
            train = SupervisedTensors.FromDataView(upstream.Transform(pipeline.Train), network.FeatureColumnName, network.LabelColumnName, network.Task);
            test = SupervisedTensors.FromDataView(upstream.Transform(pipeline.Test), network.FeatureColumnName, network.LabelColumnName, network.Task);
            if (modelPath != null) SharpnessModelFile.Save(ml, model, pipeline.Train.Schema, modelPath);
            var trainMetrics = NetworkEvaluation.Evaluate(network.Network, train, network.Loss, BatchSize(train));
            var testMetrics = NetworkEvaluation.Evaluate(network.Network, test, network.Loss, BatchSize(test));
            bool classifier = network.Task == NetworkTask.MulticlassClassification;
            var owner = new Owner(model, train, test);
            return new TrainedMember(owner, LossLandscape.ForNetwork(network, train), network.Training?.Epochs ?? 0,
                trainMetrics.MeanLoss, testMetrics.MeanLoss,
                classifier ? 1 - trainMetrics.Accuracy : double.NaN, classifier ? 1 - testMetrics.Accuracy : double.NaN, trainSeconds);
        }
        catch
        {
            train?.Dispose();
            test?.Dispose();
            DisposeNetwork(model);
            throw;
        }
    }

    public void Dispose() { }

    private int BatchSize(SupervisedTensors data) => pipeline.EvaluationBatchSize > 0 ? pipeline.EvaluationBatchSize : Math.Max(data.Count, 1);

    private static void DisposeNetwork(ITransformer model)
    {
        try
        {
            SharpnessModelFile.Split(model).Network.Dispose();
        }
        catch (ArgumentException)
        {
            // no network in it: nothing native to free
        }
    }

    /// <summary>Frees the member's network and tensors.</summary>
    private sealed class Owner(ITransformer model, SupervisedTensors train, SupervisedTensors test) : IDisposable
    {
        public void Dispose()
        {
            train.Dispose();
            test.Dispose();
            DisposeNetwork(model);
        }
    }
}
