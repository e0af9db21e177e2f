using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Networks;

/// <summary>
/// A network bound to one graph whose forward pass takes the features of every node at once ([N, F], row i is node
/// i) and scores them together, so a row's output depends on the other rows (a transductive graph network such as
/// <see cref="Graphs.GatNetwork"/> bound to its graph). What forms a batch follows from it: scoring and evaluation pass all N rows
/// in one forward pass, and a loss landscape's examples are <see cref="TrainingNodes"/> (a batch of m examples is m of
/// them, the forward pass still seeing the whole graph). A network without this interface maps rows independently.
/// </summary>
public interface IWholeGraphNetwork
{
    /// <summary>N, the rows (nodes) the forward pass takes together.</summary>
    int NodeCount { get; }

    /// <summary>The training nodes [k] int64: the examples of the network's loss landscape.</summary>
    Tensor TrainingNodes { get; }
}
