using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// The two-layer graph attention network of Veličković et al. (2018) for transductive node
/// classification: dropout → multi-head GAT layer (heads concatenated) → ELU → dropout → GAT
/// output layer (heads averaged) → class logits. The forward pass takes the node features [N, F]
/// and the edge index [2, E] of the whole graph and returns logits [N, C] for every node.
/// </summary>
public sealed class GatNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GatLayer hidden;
    private readonly GatLayer output;
    private torch.Generator? dropoutGenerator;

    /// <summary>Creates the layers described by <paramref name="spec"/>, initialised from the current torch generator.</summary>
    public GatNetwork(GatSpec spec) : base(nameof(GatNetwork))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        hidden = new GatLayer(spec.InputSize, spec.HiddenUnitsPerHead, spec.Heads, concat: true, spec.NegativeSlope, spec.AttentionDropout);
        output = new GatLayer(hidden.OutputWidth, spec.OutputSize, spec.OutputHeads, concat: false, spec.NegativeSlope, spec.AttentionDropout);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public GatSpec Spec { get; }

    /// <summary>The hidden multi-head layer.</summary>
    public GatLayer Hidden => hidden;

    /// <summary>The output layer.</summary>
    public GatLayer Output => output;

    /// <summary>
    /// Generator of every dropout mask (features and attention) in training mode; the process-wide
    /// generator when null. Trainers set it so a seed fixes the whole run.
    /// </summary>
    public torch.Generator? DropoutGenerator
    {
        get => dropoutGenerator;
        set
        {
            dropoutGenerator = value;
            hidden.DropoutGenerator = value;
            output.DropoutGenerator = value;
        }
    }

    /// <summary>Class logits [N, C] of every node from features [N, F] and the edge index [2, E].</summary>
    public override Tensor forward(Tensor features, Tensor edgeIndex)
    {
        var x = GeneratorDropout.Apply(features, Spec.Dropout, training, dropoutGenerator);
        x = hidden.call(x, edgeIndex).elu(TorchScalars.One, TorchScalars.One, TorchScalars.One);
        x = GeneratorDropout.Apply(x, Spec.Dropout, training, dropoutGenerator);
        return output.call(x, edgeIndex);
    }
}
