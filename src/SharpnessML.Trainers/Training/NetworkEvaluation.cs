using Microsoft.ML;
using SharpnessML.Trainers.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// Mean loss and accuracy of a network over a whole data set, computed in batches (evaluation mode,
/// no gradients, one dispose scope per batch) so memory stays bounded however large the data is.
/// </summary>
public static class NetworkEvaluation
{
    /// <summary>Examples per forward pass by default: 1000, a few MB of activations for LeNet-5.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>
    /// Evaluates <paramref name="network"/> on <paramref name="data"/> in evaluation mode (batch norm
    /// uses its running statistics, dropout is off); a network in training mode is put back in it.
    /// </summary>
    /// <param name="network">The module; its parameters must be on <paramref name="data"/>'s device.</param>
    /// <param name="data">Features [n, d] and labels [n]; int64 labels are class indices and get an accuracy.</param>
    /// <param name="loss">The loss to average.</param>
    /// <param name="batchSize">Examples per forward pass; default <see cref="DefaultBatchSize"/>.</param>
    public static NetworkMetrics Evaluate(nn.Module<Tensor, Tensor> network, SupervisedTensors data, LossFunction loss, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool wasTraining = network.training;
        network.eval();
        try
        {
            return Evaluate(network.call, data, loss, batchSize);
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }

    /// <summary>
    /// Evaluates a trained <paramref name="model"/> on <paramref name="data"/>, reading the model's
    /// feature and label columns and using the loss it was trained with.
    /// </summary>
    /// <param name="model">The trained network.</param>
    /// <param name="data">Data with the model's feature and label columns.</param>
    /// <param name="batchSize">Examples per forward pass; default <see cref="DefaultBatchSize"/>.</param>
    public static NetworkMetrics Evaluate(TorchNetworkTransformer model, IDataView data, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        using var tensors = SupervisedTensors.FromDataView(data, model.FeatureColumnName, model.LabelColumnName, model.Task);
        // A network bound to a graph (IWholeGraphNetwork) scores every node together: one batch of all rows.
        return Evaluate(model.Predict, tensors, model.Loss, model.IsGraphNetwork ? Math.Max(tensors.Count, 1) : batchSize);
    }

    private static NetworkMetrics Evaluate(Func<Tensor, Tensor> forward, SupervisedTensors data, LossFunction loss, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        bool classification = data.Labels.dtype == ScalarType.Int64;
        double totalLoss = 0;
        long correct = 0;
        using (torch.no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                int size = Math.Min(batchSize, data.Count - start);
                var x = data.Features.narrow(0, start, size);
                var y = data.Labels.narrow(0, start, size);
                var output = forward(x);
                totalLoss += loss.Compute(output, y).to(float64).item<double>() * size;
                if (classification) correct += output.argmax(1).eq(y).sum().item<long>();
            }
        }
        return new NetworkMetrics(data.Count, totalLoss / data.Count, classification ? (double)correct / data.Count : double.NaN);
    }
}
