using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Datasets;

namespace SharpnessML.Datasets.Tests;

/// <summary>The real FashionMNIST files (Debian's dataset-fashion-mnist); skipped when absent.</summary>
public sealed class FashionMnistDataTests
{
    private readonly MLContext mlContext = new(seed: 0);

    [FashionMnistFact]
    public void HasTheDocumentedCountsAndFirstLabel()
    {
        var train = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train);
        var test = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Test);
        Assert.Equal(60_000, train.GetRowCount());
        Assert.Equal(10_000, test.GetRowCount());
        // The first training image is an ankle boot, class 9 (key 10).
        var first = FashionMnistRows.ReadRows(FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train, maxExamples: 1));
        Assert.Equal(10u, Assert.Single(first).Label);
        Assert.Equal("Ankle boot", FashionMnistDataset.ClassNames[(int)first[0].Label - 1]);
    }

    [FashionMnistFact]
    public void NormalisedTrainingPixelsHaveMeanZeroAndStdOne()
    {
        var train = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train);
        double sum = 0, sumSquares = 0;
        long count = 0;
        using (var cursor = train.GetRowCursor(new[] { train.Schema["Features"] }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(train.Schema["Features"]);
            VBuffer<float> row = default;
            while (cursor.MoveNext())
            {
                getter(ref row);
                foreach (var v in row.GetValues())
                {
                    sum += v;
                    sumSquares += (double)v * v;
                }
                count += row.Length;
            }
        }
        Assert.Equal(60_000L * 784, count);
        double mean = sum / count;
        double std = Math.Sqrt(sumSquares / count - mean * mean);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.99, 1.01);
    }
}
