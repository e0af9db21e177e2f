using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// Early stopping by patience (scikit-learn's <c>n_iter_no_change</c> / <c>tol</c>, Keras' <c>patience</c> /
/// <c>min_delta</c>): watches one loss per epoch, counts the epochs since it last fell below its best by more than
/// the minimum delta, and optionally keeps a copy of the weights and buffers of the epoch with the lowest loss so
/// they can be put back when training ends (Prechelt, 1998).
/// </summary>
internal sealed class EarlyStopping : IDisposable
{
    private readonly nn.Module network;
    private readonly int patience;
    private readonly double minDelta;
    private readonly bool keepBest;
    private List<(Tensor Live, Tensor Copy)>? best;
    private int epochsWithoutImprovement;

    /// <param name="network">The network whose weights are kept.</param>
    /// <param name="patience">Epochs without improvement before <see cref="ShouldStop"/>; 0 = never.</param>
    /// <param name="minDelta">The fall below the best loss that counts as an improvement.</param>
    /// <param name="keepBest">Keep a copy of the best epoch's weights for <see cref="RestoreBest"/>.</param>
    public EarlyStopping(nn.Module network, int patience, double minDelta, bool keepBest)
    {
        this.network = network;
        this.patience = patience;
        this.minDelta = minDelta;
        this.keepBest = keepBest;
    }

    /// <summary>The lowest loss seen so far (+∞ before the first epoch).</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>The 0-based epoch of <see cref="BestLoss"/>, or −1 before the first epoch.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>True when the patience has run out.</summary>
    public bool ShouldStop => patience > 0 && epochsWithoutImprovement >= patience;

    /// <summary>Records the monitored loss of <paramref name="epoch"/>, after the epoch's steps.</summary>
    public void Observe(int epoch, double loss)
    {
        if (loss < BestLoss - minDelta) epochsWithoutImprovement = 0;
        else epochsWithoutImprovement++;
        if (loss < BestLoss)
        {
            BestLoss = loss;
            BestEpoch = epoch;
            if (keepBest) Save();
        }
    }

    /// <summary>Copies the best epoch's weights back into the network; false when there is nothing to restore.</summary>
    public bool RestoreBest()
    {
        if (best is null) return false;
        using (torch.no_grad())
            foreach (var (live, copy) in best) live.copy_(copy);
        return true;
    }

    private void Save()
    {
        using var scope = torch.no_grad();
        if (best is null)
        {
            best = new List<(Tensor, Tensor)>();
            foreach (var live in network.state_dict().Values)
            {
                var copy = live.detach().clone();
                copy.DetachFromDisposeScope();
                best.Add((live, copy));
            }
        }
        else
        {
            foreach (var (live, copy) in best) copy.copy_(live);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (best is null) return;
        foreach (var (_, copy) in best) copy.Dispose();
        best = null;
    }
}
