using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Tests.Evaluation;

public sealed class CheckpointCandidateTests
{
    private sealed class Row
    {
        [VectorType(10)] public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    [Fact]
    public void APyTorchStateDictIsACandidateMeasuredOnAnIDataView()
    {
        // The notebook FCNN written by PyTorch (Data/checkpoints) on its reference inputs, targets PyTorch's outputs + 0.1: MSE 0.01.
        var folder = Path.Combine(AppContext.BaseDirectory, "Data", "checkpoints");
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "reference.json"))).RootElement.GetProperty("fcnn");
        var outputs = reference.GetProperty("outputs").EnumerateArray().Select(e => (float)(e.GetDouble() + 0.1)).ToArray();
        var rows = reference.GetProperty("inputs").EnumerateArray().Select((input, i) => new Row
        {
            Features = input.EnumerateArray().Select(v => float.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray(),
            Label = outputs[i],
        }).ToList();
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var candidate = ModelCandidate.FromCheckpoint(Path.Combine(folder, "fcnn.pt"), CheckpointArchitecture.Parse("fcnn:10-64-64-1:elu"));

        var result = ml.Sharpness().SelectModel(new[] { candidate }, data, "weight-l2-norm");

        Assert.Equal("fcnn.pt", result.Selected.Name);
        Assert.Equal(0.01, result.Selected.Loss, 6);
        Assert.True(result.Selected.Value > 0);
    }
}
