using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;

namespace SharpnessML.Datasets;

/// <summary>
/// A user's image classification data as IDX pairs (MNIST's layout: images [n, h, w] or [n, d], labels [n] of class
/// indices), for a study: <see cref="Load"/> reads them strictly into views with a <c>Features</c> vector of Single
/// (pixels scaled by <see cref="IdxPixelScaling"/>) and a <c>Label</c> key over the classes 0…k−1 of both pairs.
/// </summary>
public static class IdxDataset
{
    /// <summary>Reads a training pair and, when given, a test pair with the same image dimensions.</summary>
    /// <param name="mlContext">The context the views are created with.</param>
    /// <param name="images">The training images file (plain or gzip).</param>
    /// <param name="labels">The training labels file.</param>
    /// <param name="testImages">The test images file, or null.</param>
    /// <param name="testLabels">The test labels file (with <paramref name="testImages"/>).</param>
    /// <param name="scaling">How unsigned-byte pixels become features; default FashionMNIST's standardisation.</param>
    /// <returns>The views, the image dimensions after the first (e.g. [28, 28]) and the number of classes.</returns>
    public static (IDataView Train, IDataView? Test, IReadOnlyList<int> ImageDimensions, int Classes) Load(MLContext mlContext,
        string images, string labels, string? testImages = null, string? testLabels = null, IdxPixelScaling scaling = IdxPixelScaling.FashionMnist)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if ((testImages is null) != (testLabels is null)) throw new ArgumentException("Give both test files (images and labels) or neither.");
        var train = IdxPair.Read(images, labels, scaling);
        var test = testImages is null ? null : IdxPair.Read(testImages, testLabels!, scaling);
        if (test != null && !test.ImageDimensions.Skip(1).SequenceEqual(train.ImageDimensions.Skip(1)))
            throw new InvalidDataException($"IDX file '{testImages}' has images [{string.Join(", ", test.ImageDimensions.Skip(1))}]; '{images}' has [{string.Join(", ", train.ImageDimensions.Skip(1))}].");
        foreach (var pair in new[] { train, test }.Where(p => p != null))
            for (int i = 0; i < pair!.Count; i++)
                if (pair.Labels[i] < 0 || pair.Labels[i] != MathF.Floor(pair.Labels[i]))
                    throw new InvalidDataException($"IDX file '{pair.LabelsPath}' has label {pair.Labels[i]} for item {i}; class labels must be whole numbers 0, 1, ….");
        int classes = (int)Math.Max(train.Labels.Max(), test?.Labels.Max() ?? 0) + 1;
        if (classes < 2) throw new InvalidDataException($"IDX file '{labels}' holds one class only; classification needs at least two.");
        return (View(mlContext, train, classes), test is null ? null : View(mlContext, test, classes), train.ImageDimensions.Skip(1).ToArray(), classes);
    }

    private static IDataView View(MLContext ml, IdxPair pair, int classes)
    {
        int width = pair.FeatureCount;
        var rows = new Row[pair.Count];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new Row { Features = pair.Features[(i * width)..((i + 1) * width)], Label = (uint)pair.Labels[i] }; // stored as key c + 1
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }
    }
}
