using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Networks;
using Xunit;

namespace SharpnessML.Datasets.Tests;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-csv-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Text_labels_become_keys_in_ordinal_order_shared_by_train_and_test()
    {
        var ml = new MLContext(seed: 0);
        var train = Write("train.csv", "a,b,y\n1,2,dog\n3,4,cat\n");
        var test = Write("test.csv", "a,b,y\n5,6,emu\n");
        var (trainView, testView) = CsvDataset.Load(ml, train, test, "y", NetworkTask.MulticlassClassification);
        var key = Assert.IsType<KeyDataViewType>(trainView.Schema["Label"].Type);
        Assert.Equal(3UL, key.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        testView.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal(new[] { "cat", "dog", "emu" }, names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(new uint[] { 2, 1 }, trainView.GetColumn<uint>("Label").ToArray());
        Assert.Equal(new uint[] { 3 }, testView.GetColumn<uint>("Label").ToArray());
        Assert.Equal(new[] { 1f, 2f }, trainView.GetColumn<float[]>("Features").First());
        VBuffer<ReadOnlyMemory<char>> slots = default;
        trainView.Schema["Features"].GetSlotNames(ref slots);
        Assert.Equal(new[] { "a", "b" }, slots.DenseValues().Select(n => n.ToString()));
    }

    [Fact]
    public void Integer_labels_are_ordered_numerically()
    {
        var ml = new MLContext(seed: 0);
        var view = CsvDataset.Load(ml, Write("t.csv", "x,y\n1,10\n2,2\n3,1\n"), "y", NetworkTask.MulticlassClassification);
        Assert.Equal(new uint[] { 3, 2, 1 }, view.GetColumn<uint>("Label").ToArray());
    }

    [Fact]
    public void Regression_label_is_single()
    {
        var ml = new MLContext(seed: 0);
        var view = CsvDataset.Load(ml, Write("t.csv", "y,x\n1.5,10\n-2,2\n"), "y", NetworkTask.Regression);
        Assert.Equal(new[] { 1.5f, -2f }, view.GetColumn<float>("Label").ToArray());
        Assert.Equal(new[] { 10f }, view.GetColumn<float[]>("Features").First());
    }

    [Theory]
    [InlineData("x,y\n1,2\nabc,3\n", "y", ":3: column 'x' holds 'abc', not a finite number.")]
    [InlineData("x,y\n1,2\n1e39,3\n", "y", ":3: column 'x' holds '1e39', not a finite number.")]
    [InlineData("x,y\n1,2\n", "label", "there is no column 'label'. Columns: x, y.")]
    public void Bad_input_names_the_file_line_and_column(string text, string label, string message)
    {
        var path = Write("bad.csv", text);
        var e = Assert.ThrowsAny<Exception>(() => CsvDataset.Load(new MLContext(), path, label, NetworkTask.Regression));
        Assert.Equal(path + (message.StartsWith(':') ? "" : ": ") + message, e.Message);
    }
}
