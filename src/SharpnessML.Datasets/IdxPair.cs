using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// Supervised data from two IDX files, MNIST's layout: an images file [n, …] (e.g. [n, 28, 28] or
/// [n, d]; each item is flattened row-major into one feature vector) and a labels file [n]. Both are
/// read whole, plain or gzip-compressed, and checked: malformed or truncated files, other shapes,
/// different counts and non-finite values are an <see cref="InvalidDataException"/> naming the file.
/// Unsigned-byte pixels are scaled by <see cref="IdxPixelScaling"/>; other types are used as stored.
/// </summary>
internal sealed class IdxPair
{
    private IdxPair(string imagesPath, string labelsPath, IReadOnlyList<int> imageDimensions, float[] features, float[] labels)
    {
        ImagesPath = imagesPath;
        LabelsPath = labelsPath;
        ImageDimensions = imageDimensions;
        Features = features;
        Labels = labels;
        FeatureCount = features.Length / labels.Length;
    }

    /// <summary>The images file.</summary>
    public string ImagesPath { get; }

    /// <summary>The labels file.</summary>
    public string LabelsPath { get; }

    /// <summary>The images file's dimensions, e.g. [10000, 28, 28].</summary>
    public IReadOnlyList<int> ImageDimensions { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>Features per example: the product of the image dimensions after the first (784 for 28×28).</summary>
    public int FeatureCount { get; }

    /// <summary>The scaled features, <see cref="Count"/> × <see cref="FeatureCount"/>, row-major.</summary>
    public float[] Features { get; }

    /// <summary>The labels as read (class indices for classification, targets for regression).</summary>
    public float[] Labels { get; }

    /// <summary>Reads and checks the pair.</summary>
    /// <param name="imagesPath">The images file: IDX, at least two dimensions [n, …].</param>
    /// <param name="labelsPath">The labels file: IDX, one dimension [n].</param>
    /// <param name="scaling">How unsigned-byte pixels become features; default FashionMNIST's standardisation.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree; the message names the file.</exception>
    public static IdxPair Read(string imagesPath, string labelsPath, IdxPixelScaling scaling = IdxPixelScaling.FashionMnist)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        if (!Enum.IsDefined(scaling)) throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "Unknown pixel scaling.");
        var labelFile = IdxReader.Read(labelsPath);
        if (labelFile.Dimensions.Count != 1)
            throw new InvalidDataException($"IDX file '{labelsPath}' has dimensions [{string.Join(", ", labelFile.Dimensions)}]; a labels file has one dimension [n].");
        var images = IdxReader.Read(imagesPath);
        if (images.Dimensions.Count < 2)
            throw new InvalidDataException($"IDX file '{imagesPath}' has dimensions [{string.Join(", ", images.Dimensions)}]; an images file has at least two, [n, d] or [n, rows, columns].");
        if (images.Count != labelFile.Count)
            throw new InvalidDataException($"IDX file '{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labelFile.Count} labels; the counts must match.");
        if (images.Count == 0) throw new InvalidDataException($"IDX file '{imagesPath}' holds no images.");
        if (images.ItemSize == 0) throw new InvalidDataException($"IDX file '{imagesPath}' has dimensions [{string.Join(", ", images.Dimensions)}]: its images have no pixels.");

        float[] features;
        if (images.DataType == IdxReader.UnsignedByteType)
        {
            var table = Enumerable.Range(0, 256).Select(b => scaling switch
            {
                IdxPixelScaling.FashionMnist => FashionMnistDataset.Normalize((byte)b),
                IdxPixelScaling.Unit => b / 255f,
                _ => (float)b,
            }).ToArray();
            features = new float[images.Data.Length];
            for (int i = 0; i < features.Length; i++) features[i] = table[images.Data[i]];
        }
        else
        {
            features = images.ToSingles();
            int bad = Array.FindIndex(features, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new InvalidDataException($"IDX file '{imagesPath}' holds {features[bad]} in image {bad / images.ItemSize} (value {bad % images.ItemSize}); features must be finite.");
        }
        var labels = labelFile.ToSingles();
        int badLabel = Array.FindIndex(labels, v => !float.IsFinite(v));
        if (badLabel >= 0) throw new InvalidDataException($"IDX file '{labelsPath}' holds {labels[badLabel]} for item {badLabel}; labels must be finite.");
        return new IdxPair(imagesPath, labelsPath, images.Dimensions, features, labels);
    }

    /// <summary>
    /// Features [n, d] and labels [n] as tensors: float32 targets for regression, int64 class indices
    /// (whole numbers ≥ 0) for classification.
    /// </summary>
    public SupervisedTensors ToTensors(NetworkTask task)
    {
        var x = torch.tensor(Features, new long[] { Count, FeatureCount });
        if (task == NetworkTask.Regression) return new SupervisedTensors(x, torch.tensor(Labels));
        return new SupervisedTensors(x, torch.tensor(ClassIndices(int.MaxValue, "")));
    }

    /// <summary>
    /// The pair as an <see cref="IDataView"/> with the columns a saved model's input
    /// <paramref name="schema"/> names: it must read exactly one known-size vector of Single (the
    /// features, whose width must be <see cref="FeatureCount"/>) and one label column, a uint key
    /// (class c is key c + 1 and must be below the key count) or a Single (the label's value).
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="schema">The model's input schema.</param>
    /// <param name="modelName">The model, for messages.</param>
    /// <exception cref="ArgumentException">The schema asks for other columns or another width; the message names the model and the file.</exception>
    public IDataView ToDataView(MLContext mlContext, DataViewSchema schema, string modelName)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(schema);
        var columns = schema.Where(c => !c.IsHidden).ToList();
        var vectors = columns.Where(c => c.Type is VectorDataViewType { ItemType: var t } && t == NumberDataViewType.Single).ToList();
        var others = columns.Except(vectors).ToList();
        if (vectors.Count != 1 || others.Count != 1)
            throw new ArgumentException($"Model file '{modelName}' reads the input columns {string.Join(", ", columns.Select(c => $"'{c.Name}' ({c.Type})"))}; " +
                                        $"an IDX pair supplies one feature vector and one label, so '{ImagesPath}' cannot feed it (use a CSV file).");
        var (featureColumn, labelColumn) = (vectors[0], others[0]);
        int width = ((VectorDataViewType)featureColumn.Type).Size;
        if (width != FeatureCount)
            throw new ArgumentException($"Model file '{modelName}' expects '{featureColumn.Name}' vectors of {width} values, but the images in IDX file '{ImagesPath}' " +
                                        $"([{string.Join(", ", ImageDimensions)}]) have {FeatureCount}.");

        if (labelColumn.Type is KeyDataViewType key && key.RawType == typeof(uint))
        {
            var classes = ClassIndices(checked((int)key.Count), $" for model file '{modelName}', whose label '{labelColumn.Name}' has {key.Count} classes");
            // LoadFromEnumerable stores a uint member v of a key column as key v + 1 (observed with ML.NET 5.0.1),
            // so the member holds the 0-based class and the view's key is class + 1, as FashionMnistDataset's.
            var rows = Enumerable.Range(0, Count).Select(i => new KeyRow { Features = Row(i), Label = (uint)classes[i] });
            var definition = SchemaDefinition.Create(typeof(KeyRow));
            definition[nameof(KeyRow.Label)].ColumnType = key;
            return Load(mlContext, rows, definition, featureColumn.Name, labelColumn.Name, width);
        }
        if (labelColumn.Type == NumberDataViewType.Single)
        {
            var rows = Enumerable.Range(0, Count).Select(i => new ValueRow { Features = Row(i), Label = Labels[i] });
            return Load(mlContext, rows, SchemaDefinition.Create(typeof(ValueRow)), featureColumn.Name, labelColumn.Name, width);
        }
        throw new ArgumentException($"Model file '{modelName}' reads its label '{labelColumn.Name}' as {labelColumn.Type}; an IDX labels file can supply a uint key or a Single.");
    }

    private static IDataView Load<TRow>(MLContext mlContext, IEnumerable<TRow> rows, SchemaDefinition definition, string featureName, string labelName, int width)
        where TRow : class
    {
        definition["Features"].ColumnName = featureName;
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        definition["Label"].ColumnName = labelName;
        return mlContext.Data.LoadFromEnumerable(rows.ToList(), definition);
    }

    private float[] Row(int i) => Features.AsSpan(i * FeatureCount, FeatureCount).ToArray();

    private long[] ClassIndices(int classCount, string context)
    {
        var classes = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            float label = Labels[i];
            if (label < 0 || label != MathF.Floor(label) || label >= classCount)
                throw new InvalidDataException($"IDX file '{LabelsPath}' has label {label} for item {i}; class labels must be whole numbers " +
                                               (classCount == int.MaxValue ? "≥ 0" : $"0–{classCount - 1}") + context + ".");
            classes[i] = (long)label;
        }
        return classes;
    }

    internal sealed class KeyRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }
    }

    internal sealed class ValueRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }
}
