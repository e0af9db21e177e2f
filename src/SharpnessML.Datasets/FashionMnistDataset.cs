using Microsoft.ML;
using SharpnessML.Trainers;

namespace SharpnessML.Datasets;

/// <summary>
/// FashionMNIST (Xiao, Rasul &amp; Vollgraf, 2017, arXiv:1708.07747; MIT licence): 70,000 28×28
/// grey-scale images of clothing in 10 classes, stored as IDX files. <see cref="Load"/> returns an
/// <see cref="IDataView"/> with <c>Features</c>, a vector of 784 Single (pixels scaled to [0, 1] and
/// standardised with <see cref="PixelMean"/> and <see cref="PixelStd"/>), and <c>Label</c>, a uint key
/// with 10 values (class c is key c + 1, ML.NET's convention) whose key values are
/// <see cref="ClassNames"/>. Debian's <c>dataset-fashion-mnist</c> package installs the files in
/// <see cref="DebianDirectory"/>, the default folder.
/// </summary>
public static class FashionMnistDataset
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the IDX files (the default folder).</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Side of an image in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>Features per image (28 × 28).</summary>
    public const int FeatureCount = ImageSize * ImageSize;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Mean of the training images' pixels scaled to [0, 1]: 0.2860, the standard FashionMNIST
    /// statistic (computed over all 60,000 × 784 training pixels; the tests recompute it).
    /// </summary>
    public const float PixelMean = 0.2860f;

    /// <summary>Standard deviation of the training images' pixels scaled to [0, 1]: 0.3530 (as <see cref="PixelMean"/>).</summary>
    public const float PixelStd = 0.3530f;

    /// <summary>Number of training images in the full data set.</summary>
    public const int TrainCount = 60_000;

    /// <summary>Number of test images in the full data set.</summary>
    public const int TestCount = 10_000;

    /// <summary>The class names in label order (Xiao et al., 2017, Table 1): class 0 is "T-shirt/top", 9 is "Ankle boot".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>
    /// The feature value of each pixel byte b: (b / 255 − <see cref="PixelMean"/>) / <see cref="PixelStd"/>,
    /// as <c>torchvision.transforms.Normalize((0.2860,), (0.3530,))</c> after <c>ToTensor()</c> computes it.
    /// </summary>
    public static float Normalize(byte pixel) => (pixel / 255f - PixelMean) / PixelStd;

    /// <summary>
    /// Loads a split from <paramref name="directory"/> (default <see cref="DebianDirectory"/>),
    /// which holds <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte</c>, gzip-compressed (<c>.gz</c>) or not.
    /// </summary>
    /// <param name="mlContext">The ML.NET context (the view itself is self-contained).</param>
    /// <param name="split">Training or test images.</param>
    /// <param name="directory">The folder with the IDX files; <c>null</c> for Debian's location.</param>
    /// <param name="maxExamples">Read only the first this many examples; <c>null</c> reads all.</param>
    /// <exception cref="FileNotFoundException">The folder lacks the split's files.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two files disagree; the message names the file.</exception>
    public static IDataView Load(MLContext mlContext, FashionMnistSplit split, string? directory = null, int? maxExamples = null)
    {
        var (images, labels) = FindFiles(split, directory ?? DebianDirectory);
        return LoadFiles(mlContext, images, labels, maxExamples);
    }

    /// <summary>
    /// Loads FashionMNIST-shaped data from an images file (IDX, [n, 28, 28] unsigned bytes) and a
    /// labels file (IDX, [n] unsigned bytes, each below 10), plain or gzip-compressed.
    /// </summary>
    /// <param name="mlContext">The ML.NET context (the view itself is self-contained).</param>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="maxExamples">Read only the first this many examples; <c>null</c> reads all.</param>
    /// <exception cref="InvalidDataException">A file is malformed or the two files disagree; the message names the file.</exception>
    public static IDataView LoadFiles(MLContext mlContext, string imagesPath, string labelsPath, int? maxExamples = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (maxExamples < 1) throw new ArgumentOutOfRangeException(nameof(maxExamples), maxExamples, "maxExamples must be at least 1 (or null for all).");
        var labelFile = IdxReader.Read(labelsPath, maxExamples);
        if (labelFile.DataType != IdxReader.UnsignedByteType)
            throw new InvalidDataException($"IDX file '{labelsPath}' holds {labelFile.TypeName} values; FashionMNIST labels are unsigned bytes.");
        if (labelFile.Dimensions.Count != 1)
            throw new InvalidDataException($"IDX file '{labelsPath}' has dimensions [{string.Join(", ", labelFile.Dimensions)}]; a labels file has one dimension [n].");
        var images = IdxReader.Read(imagesPath, maxExamples);
        if (images.DataType != IdxReader.UnsignedByteType)
            throw new InvalidDataException($"IDX file '{imagesPath}' holds {images.TypeName} values; FashionMNIST images are unsigned bytes.");
        if (images.Dimensions.Count != 3 || images.Dimensions[1] != ImageSize || images.Dimensions[2] != ImageSize)
            throw new InvalidDataException($"IDX file '{imagesPath}' has dimensions [{string.Join(", ", images.Dimensions)}]; FashionMNIST images are [n, {ImageSize}, {ImageSize}].");
        if (images.Dimensions[0] != labelFile.Dimensions[0])
            throw new InvalidDataException($"IDX file '{imagesPath}' holds {images.Dimensions[0]} images but '{labelsPath}' holds {labelFile.Dimensions[0]} labels; the counts must match.");
        if (images.Count == 0)
            throw new InvalidDataException($"IDX file '{imagesPath}' holds no images.");
        var labels = labelFile.Data;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= ClassCount)
                throw new InvalidDataException($"IDX file '{labelsPath}' has label {labels[i]} for item {i} (byte offset {8 + i}); FashionMNIST labels are 0–{ClassCount - 1}.");
        var table = Enumerable.Range(0, 256).Select(b => Normalize((byte)b)).ToArray();
        return new ImageClassificationDataView(images.Data, labels, FeatureCount, table, ClassNames, ColumnNames.Features, ColumnNames.Label);
    }

    /// <summary>Whether <paramref name="directory"/> (default Debian's) holds both splits' files.</summary>
    public static bool IsAvailable(string? directory = null)
    {
        var dir = directory ?? DebianDirectory;
        return Enum.GetValues<FashionMnistSplit>().All(s => TryFind(dir, s, "images-idx3") != null && TryFind(dir, s, "labels-idx1") != null);
    }

    /// <summary>The images and labels files of <paramref name="split"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message says which names were tried.</exception>
    public static (string Images, string Labels) FindFiles(FashionMnistSplit split, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return (Find(directory, split, "images-idx3"), Find(directory, split, "labels-idx1"));
    }

    private static string Find(string directory, FashionMnistSplit split, string kind) =>
        TryFind(directory, split, kind)
        ?? throw new FileNotFoundException(
            $"FashionMNIST {split.ToString().ToLowerInvariant()} {kind[..^5]} file not found in '{directory}' (tried {string.Join(", ", Candidates(split, kind))}). " +
            "Install Debian's package (sudo apt-get install dataset-fashion-mnist, into " + DebianDirectory + "), or download the files from https://github.com/zalandoresearch/fashion-mnist.",
            Path.Combine(directory, Candidates(split, kind)[0]));

    private static string? TryFind(string directory, FashionMnistSplit split, string kind) =>
        Candidates(split, kind).Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    /// <summary>The usual spellings: Zalando's and Debian's <c>*-ubyte.gz</c>, decompressed, and the <c>.idx3-ubyte</c> form some mirrors use.</summary>
    private static string[] Candidates(FashionMnistSplit split, string kind)
    {
        var prefix = split == FashionMnistSplit.Train ? "train" : "t10k";
        var dotted = kind.Replace("-idx", ".idx", StringComparison.Ordinal);
        return new[] { $"{prefix}-{kind}-ubyte.gz", $"{prefix}-{kind}-ubyte", $"{prefix}-{dotted}-ubyte" };
    }
}
