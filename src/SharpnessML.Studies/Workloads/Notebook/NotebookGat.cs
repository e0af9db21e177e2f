using SharpnessML.Trainers.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The GAT notebook's <c>torch_geometric.nn.models.GAT(1433, 8, num_layers=2, out_channels=7, dropout=0.6,
/// act='elu')</c>, as PyTorch Geometric's <c>BasicGNN</c> builds it: <c>GATConv(1433, 8, heads=1, dropout=0.6)</c> →
/// ELU → dropout 0.6 → <c>GATConv(8, 7, heads=1, concat=False, dropout=0.6)</c>. The model's dropout goes to each
/// GATConv as its attention dropout and after the hidden layer's activation; the input features are not dropped
/// (unlike Veličković et al.'s GAT). One head: the notebook defines <c>heads = 8</c> but never passes it.
/// </summary>
internal sealed class NotebookGat : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GatLayer conv1, conv2;
    private readonly double dropout;

    public NotebookGat(int features, int hidden, int classes, double dropout = 0.6) : base(nameof(NotebookGat))
    {
        this.dropout = dropout;
        conv1 = new GatLayer(features, hidden, heads: 1, concat: true, attentionDropout: dropout);
        conv2 = new GatLayer(hidden, classes, heads: 1, concat: false, attentionDropout: dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor edgeIndex)
    {
        var h = nn.functional.elu(conv1.call(x, edgeIndex), 1.0);
        h = nn.functional.dropout(h, dropout, training);
        return conv2.call(h, edgeIndex);
    }
}
