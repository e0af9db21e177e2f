using System.Globalization;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Checkpoints;

/// <summary>
/// A network a PyTorch checkpoint is loaded into, named on the command line (<c>--architecture</c>):
/// <list type="bullet">
/// <item><c>fcnn:10-64-64-1:elu</c> — the seed notebooks' FCNN (<see cref="FcnnNetwork"/>: the activation after every
/// layer, the output included); activations <c>elu</c>, <c>relu</c>, <c>tanh</c>.</item>
/// <item><c>mlp:10-64-64-1:elu</c> — our <see cref="MlpNetwork"/> (linear output), as our trainers build it.</item>
/// <item><c>lenet5</c> — the notebooks' and our reference LeNet-5 (<see cref="LeNet5Spec.Reference"/>: conv 1→12 5×5, BN,
/// ReLU, max-pool 2; conv 12→32, BN, ReLU, pool; fc 512→256, dropout, ReLU; fc 256→128, dropout, ReLU; fc 128→10).</item>
/// <item><c>lenet5-classic</c> — LeCun et al.'s 6/16/120/84 (<see cref="LeNet5Spec.Classic"/>).</item>
/// </list>
/// </summary>
public sealed class CheckpointArchitecture
{
    private readonly Func<nn.Module<Tensor, Tensor>> build;

    private CheckpointArchitecture(string name, int inputSize, int outputSize, Func<nn.Module<Tensor, Tensor>> build)
    {
        Name = name;
        InputSize = inputSize;
        OutputSize = outputSize;
        this.build = build;
    }

    /// <summary>The name as given, e.g. <c>lenet5</c>.</summary>
    public string Name { get; }

    /// <summary>Features per example (784 for LeNet-5's flattened 28×28 images).</summary>
    public int InputSize { get; }

    /// <summary>Outputs per example.</summary>
    public int OutputSize { get; }

    /// <summary>The loss when none is given: cross-entropy for a classifier (LeNet-5, or more than one output), MSE for one output.</summary>
    public LossFunction DefaultLoss => OutputSize == 1 ? LossFunction.MeanSquaredError : LossFunction.CrossEntropy;

    /// <summary>A new network of this architecture (random weights; load a checkpoint into it).</summary>
    public nn.Module<Tensor, Tensor> Build() => build();

    /// <summary>The forms <see cref="Parse"/> accepts, for messages.</summary>
    public const string Forms = "fcnn:SIZES:ACTIVATION (e.g. fcnn:10-64-64-1:elu, activation after every layer), mlp:SIZES:ACTIVATION (linear output), lenet5 or lenet5-classic";

    /// <summary>Parses an architecture name (see the class remarks).</summary>
    /// <exception cref="ArgumentException">The name is not one of the forms; the message lists them.</exception>
    public static CheckpointArchitecture Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Trim().ToLowerInvariant().Split(':');
        switch (parts[0])
        {
            case "lenet5" when parts.Length == 1:
                return LeNet(name, LeNet5Spec.Reference);
            case "lenet5-classic" when parts.Length == 1:
                return LeNet(name, LeNet5Spec.Classic);
            case "fcnn" or "mlp" when parts.Length is 2 or 3:
            {
                var sizes = parts[1].Split('-').Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : -1).ToArray();
                if (sizes.Length < 2 || sizes.Any(s => s < 1))
                    throw new ArgumentException($"--architecture '{name}': the widths '{parts[1]}' must be at least two positive integers joined by '-', e.g. 10-64-64-1.");
                var activation = (parts.Length == 3 ? parts[2] : "elu") switch
                {
                    "elu" => Activation.Elu,
                    "relu" => Activation.Relu,
                    "tanh" => Activation.Tanh,
                    var other => throw new ArgumentException($"--architecture '{name}': unknown activation '{other}' (elu, relu or tanh)."),
                };
                return parts[0] == "fcnn"
                    ? new CheckpointArchitecture(name, sizes[0], sizes[^1], () => new FcnnNetwork(sizes, activation))
                    : new CheckpointArchitecture(name, sizes[0], sizes[^1], () => new MlpNetwork(new MlpSpec(sizes, activation)));
            }
            case "gat":
                throw new ArgumentException($"--architecture '{name}': GAT checkpoints need their graph, which a state_dict does not hold; load GATs from SharpnessML model files. Known: {Forms}.");
            default:
                throw new ArgumentException($"Unknown --architecture '{name}'. Known: {Forms}.");
        }
    }

    private static CheckpointArchitecture LeNet(string name, LeNet5Spec spec) => new(name, spec.InputSize, spec.OutputSize, () => new LeNet5Network(spec));
}
