using Microsoft.ML;
using Microsoft.ML.Data;

namespace SharpnessML.TestKit;

/// <summary>The rows of a FashionMNIST data view (Features, Label) read into memory.</summary>
internal static class FashionMnistRows
{
    internal sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public uint Label { get; set; }
    }

    internal static List<Row> ReadRows(IDataView data)
    {
        var rows = new List<Row>();
        using var cursor = data.GetRowCursor(data.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
        var label = cursor.GetGetter<uint>(data.Schema["Label"]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            features(ref buffer);
            label(ref key);
            rows.Add(new Row { Features = buffer.DenseValues().ToArray(), Label = key });
        }
        return rows;
    }
}
