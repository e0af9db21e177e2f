using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using SharpnessML.Trainers.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Checkpoints;

/// <summary>
/// State_dicts written by PyTorch 1.13 (Data/checkpoints/make_checkpoints.py): our networks loaded from them give
/// PyTorch's recorded eval-mode outputs on the same inputs, and files that do not fit are refused naming each tensor.
/// </summary>
public sealed class PyTorchCheckpointTests : IDisposable
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Data", "checkpoints");
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement;
    private readonly string temp = Directory.CreateTempSubdirectory("sharpnessml-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static Tensor Inputs(string model) =>
        torch.tensor(Reference.GetProperty(model).GetProperty("inputs").EnumerateArray()
            .SelectMany(row => row.EnumerateArray().Select(v => float.Parse(v.GetString()!, CultureInfo.InvariantCulture))).ToArray())
            .reshape(Reference.GetProperty(model).GetProperty("inputs").GetArrayLength(), -1);

    private static float[] Outputs(string model) =>
        Reference.GetProperty(model).GetProperty("outputs").EnumerateArray()
            .SelectMany(v => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => (float)e.GetDouble()) : new[] { (float)v.GetDouble() }).ToArray();

    private static void AssertOutputs(float[] expected, Tensor actual)
    {
        var values = actual.detach().reshape(-1).data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"output {i}: ours {values[i]}, PyTorch {expected[i]}");
    }

    [Fact]
    public void StorageViewsOffsetsStridesHalfAndIntegerTensorsAreReadExactly()
    {
        using var scope = torch.NewDisposeScope();
        using var dict = StateDict.Read(Path.Combine(Folder, "views.pt"));
        Assert.Equal("pytorch", dict.Format);
        Assert.Equal(new[] { "matrix", "transposed", "tail", "half", "count" }, dict.Entries.Select(e => e.Name));
        foreach (var (name, tensor) in dict.Entries)
        {
            var expected = Reference.GetProperty("views").GetProperty(name);
            Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), tensor.shape);
            Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()), tensor.to(float64).reshape(-1).data<double>().ToArray());
        }
        Assert.Equal(ScalarType.Int64, dict.Entries.Single(e => e.Name == "count").Tensor.dtype);
    }

    [Fact]
    public void TheNotebooksFcnnGivesPyTorchsOutputs()
    {
        using var scope = torch.NewDisposeScope();
        var (network, mapping) = PyTorchCheckpoint.Load(Path.Combine(Folder, "fcnn.pt"), CheckpointArchitecture.Parse("fcnn:10-64-64-1:elu"));
        Assert.Equal(new[] { ("fc1.weight", "layers.0.weight"), ("fc1.bias", "layers.0.bias"), ("fc2.weight", "layers.1.weight"),
            ("fc2.bias", "layers.1.bias"), ("fc3.weight", "layers.2.weight"), ("fc3.bias", "layers.2.bias") }, mapping);
        AssertOutputs(Outputs("fcnn"), network.call(Inputs("fcnn")));
    }

    [Fact]
    public void SequentialSafetensorsLoadInNaturalNameOrder()
    {
        using var scope = torch.NewDisposeScope();
        // net.10 is the last layer: natural order (0, 2, 4, 10), not string order (0, 10, 2, 4) or the header's (reversed).
        var (network, mapping) = PyTorchCheckpoint.Load(Path.Combine(Folder, "mlp_sequential.safetensors"), CheckpointArchitecture.Parse("mlp:10-16-8-1-1:tanh"));
        Assert.Equal("net.10.weight", mapping.Single(m => m.Network == "layers.3.weight").Checkpoint);
        AssertOutputs(Outputs("mlp_sequential"), network.call(Inputs("fcnn")));
    }

    [Fact]
    public void TheNotebooksLeNetGivesPyTorchsOutputsWithItsBatchNormStatistics()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(temp, "lenet5.pt");
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(Folder, "lenet5.pt.gz")), CompressionMode.Decompress))
        using (var file = File.Create(path))
            gz.CopyTo(file);
        var (network, mapping) = PyTorchCheckpoint.Load(path, CheckpointArchitecture.Parse("lenet5"));
        Assert.Contains(("bn1.running_var", "norm1.running_var"), mapping);
        Assert.Contains(("fc1.weight", "fc1.weight"), mapping);
        Assert.False(network.training);
        AssertOutputs(Outputs("lenet5"), network.call(Inputs("lenet5")));
    }

    [Fact]
    public void ACheckpointThatDoesNotFitIsRefusedInOneLineNamingEveryTensor()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidDataException>(() =>
            PyTorchCheckpoint.Load(Path.Combine(Folder, "fcnn_wrong.pt"), CheckpointArchitecture.Parse("fcnn:10-8-8-1:elu")));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("tensor 'fc2.weight' is [4, 8], but fcnn:10-8-8-1:elu's layers.1.weight is [8, 8]", error.Message);
        Assert.Contains("tensor 'fc2.bias' is [4], but fcnn:10-8-8-1:elu's layers.1.bias is [8]", error.Message);
        Assert.Contains("missing tensor 'fc3.bias' [1] for fcnn:10-8-8-1:elu's layers.2.bias", error.Message);
        Assert.Contains("unexpected tensor 'fc3.scale' [3]", error.Message);
        Assert.DoesNotContain("fc1", error.Message);
    }

    [Fact]
    public void AMissingLayerIsNamedWithItsShapes()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidDataException>(() =>
            PyTorchCheckpoint.Load(Path.Combine(Folder, "fcnn.pt"), CheckpointArchitecture.Parse("fcnn:10-64-64-64-1:elu")));
        Assert.Contains("tensor 'fc3.weight' is [1, 64], but fcnn:10-64-64-64-1:elu's layers.2.weight is [64, 64]", error.Message);
        Assert.Contains("missing linear layer 4 of 4 for fcnn:10-64-64-64-1:elu's layers.3 (layers.3.weight [1, 64], layers.3.bias [1])", error.Message);
    }

    [Theory]
    [InlineData("resnet18", "Unknown --architecture 'resnet18'")]
    [InlineData("fcnn:10-x-1:elu", "the widths '10-x-1'")]
    [InlineData("fcnn:10-64-1:gelu", "unknown activation 'gelu'")]
    [InlineData("gat:8-8", "GAT checkpoints need their graph")]
    public void UnknownArchitecturesAreNamed(string name, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => CheckpointArchitecture.Parse(name));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void OtherFilesAreRefusedByName()
    {
        var text = Path.Combine(temp, "notes.pt");
        File.WriteAllText(text, "not a checkpoint");
        var error = Assert.Throws<InvalidDataException>(() => StateDict.Read(text));
        Assert.Contains("notes.pt", error.Message);
        var torchScript = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "fcnn.pt");
        Assert.Contains("TorchScript", Assert.Throws<InvalidDataException>(() => StateDict.Read(torchScript)).Message);
    }
}
