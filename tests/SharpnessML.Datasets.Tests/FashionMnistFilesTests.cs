using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Datasets;

namespace SharpnessML.Datasets.Tests;

/// <summary>The FashionMNIST loader on small IDX files the tests write.</summary>
public sealed class FashionMnistFilesTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("sharpnessml-fmnist-").FullName;
    private readonly MLContext mlContext = new(seed: 0);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static byte[] Header(params int[] dims)
    {
        var header = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (var d in dims) header.AddRange(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        return header.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(directory, name);
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    /// <summary>Image i has pixel j = (i + j) mod 256.</summary>
    private static byte[] Pixels(int count) =>
        Enumerable.Range(0, count).SelectMany(i => Enumerable.Range(0, 784).Select(j => (byte)((i + j) % 256))).ToArray();

    private (string Images, string Labels) WriteSplit(string prefix, int images, byte[] labels)
    {
        var imagesPath = Write($"{prefix}-images-idx3-ubyte.gz", Header(images, 28, 28).Concat(Pixels(images)).ToArray());
        var labelsPath = Write($"{prefix}-labels-idx1-ubyte.gz", Header(labels.Length).Concat(labels).ToArray());
        return (imagesPath, labelsPath);
    }

    [Fact]
    public void LoadsFeaturesNormalisedAndLabelsAsKeys()
    {
        WriteSplit("train", 3, new byte[] { 9, 0, 4 });
        WriteSplit("t10k", 1, new byte[] { 2 });
        Assert.True(FashionMnistDataset.IsAvailable(directory));
        var data = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train, directory);

        Assert.Equal(3, data.GetRowCount());
        var features = data.Schema["Features"].Type as VectorDataViewType;
        Assert.NotNull(features);
        Assert.Equal(NumberDataViewType.Single, features!.ItemType);
        Assert.Equal(784, features.Size);
        var label = Assert.IsType<KeyDataViewType>(data.Schema["Label"].Type);
        Assert.Equal(10ul, label.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        data.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal("Ankle boot", names.GetValues()[9].ToString());

        var rows = FashionMnistRows.ReadRows(data);
        Assert.Equal(new uint[] { 10, 1, 5 }, rows.Select(r => r.Label));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 784; j++)
                Assert.Equal((((i + j) % 256) / 255f - 0.2860f) / 0.3530f, rows[i].Features[j]);
    }

    [Fact]
    public void TakesOnlyTheFirstExamples()
    {
        WriteSplit("t10k", 5, new byte[] { 1, 2, 3, 4, 5 });
        var data = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Test, directory, maxExamples: 2);
        Assert.Equal(2, data.GetRowCount());
        Assert.Equal(new uint[] { 2, 3 }, FashionMnistRows.ReadRows(data).Select(r => r.Label));
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        var (images, labels) = WriteSplit("train", 3, new byte[] { 1, 2 });
        var e = Assert.Throws<InvalidDataException>(() => FashionMnistDataset.LoadFiles(mlContext, images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("3 images", e.Message);
        Assert.Contains("2 labels", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheFileAndOffset()
    {
        var (images, labels) = WriteSplit("train", 2, new byte[] { 1, 10 });
        var e = Assert.Throws<InvalidDataException>(() => FashionMnistDataset.LoadFiles(mlContext, images, labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 10 for item 1 (byte offset 9)", e.Message);
    }

    [Fact]
    public void WrongImageShapeNamesTheFile()
    {
        var images = Write("small-images", Header(2, 4, 4).Concat(new byte[32]).ToArray());
        var labels = Write("small-labels", Header(2).Concat(new byte[2]).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => FashionMnistDataset.LoadFiles(mlContext, images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains("[2, 4, 4]", e.Message);
    }

    [Fact]
    public void MissingFilesSayWhatWasTried()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train, directory));
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.False(FashionMnistDataset.IsAvailable(directory));
    }
}
