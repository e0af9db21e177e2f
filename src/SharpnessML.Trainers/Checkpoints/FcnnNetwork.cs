using SharpnessML.Trainers.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Checkpoints;

/// <summary>
/// The seed notebooks' fully connected network: Linear → activation after every layer, the output layer included
/// (their Abalone FCNN 10-64-64-1 ends in ELU, so it predicts values above −1 only). <see cref="MlpNetwork"/>, what our
/// trainers build, keeps the output linear; <c>--architecture mlp:…</c> names that one.
/// </summary>
public sealed class FcnnNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers = new();
    private readonly Activation activation;

    /// <summary>Linear layers of the widths <paramref name="sizes"/> (input first), each followed by <paramref name="activation"/>.</summary>
    public FcnnNetwork(int[] sizes, Activation activation) : base(nameof(FcnnNetwork))
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2 || sizes.Any(s => s < 1))
            throw new ArgumentException($"An FCNN needs at least two positive widths; got [{string.Join(", ", sizes)}].", nameof(sizes));
        this.activation = activation;
        for (int i = 0; i + 1 < sizes.Length; i++) layers.Add(nn.Linear(sizes[i], sizes[i + 1]));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = activation.Apply(layer.call(x));
        return x;
    }
}
