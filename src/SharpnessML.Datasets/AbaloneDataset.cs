using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using SharpnessML.Trainers;

namespace SharpnessML.Datasets;

/// <summary>
/// The UCI Abalone data set (Nash et al., 1994; CC BY 4.0): 4177 abalone, 8 measurements and the
/// ring count. <see cref="Load(MLContext, string)"/> reads an <c>abalone.data</c> strictly (<see cref="Load(MLContext)"/> the bundled one); <see cref="FeaturePipeline"/>
/// builds the seed paper's 10 features (7 measurements + one-hot sex) and standardises features and
/// label, fitted on whatever data the pipeline is fitted on (the training split).
/// </summary>
public static class AbaloneDataset
{
    /// <summary>Name of the standardised feature vector column.</summary>
    public const string FeaturesColumn = ColumnNames.Features;

    /// <summary>Name of the standardised label column (rings).</summary>
    public const string LabelColumn = ColumnNames.Label;

    /// <summary>The seed paper's test fraction (20%) and split seed (42).</summary>
    public const double TestFraction = 0.2;

    /// <summary>Seed of the reference train/test split.</summary>
    public const int SplitSeed = 42;

    /// <summary>The bundled file's name in <see cref="BundledData"/>.</summary>
    public const string BundledFile = "abalone.data";

    /// <summary>The SHA-256 of the bundled <c>abalone.data</c>.</summary>
    public static string BundledSha256 => BundledData.Sha256(BundledFile);

    /// <summary>
    /// Reads the <c>abalone.data</c> bundled in this package (4177 rows; see <see cref="BundledData"/>), from any
    /// working directory.
    /// </summary>
    public static IDataView Load(MLContext mlContext) => Load(mlContext, TextSource.FromBundled(BundledFile));

    /// <summary>Reads an <c>abalone.data</c> file (9 comma-separated fields a line, no header).</summary>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file, line and field.</exception>
    public static IDataView Load(MLContext mlContext, string path) => Load(mlContext, TextSource.FromFile(path, "Abalone data file"));

    private static IDataView Load(MLContext mlContext, TextSource path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var rows = new List<AbaloneRow>();
        int lineNumber = 0;
        foreach (var line in path.ReadLines())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != 9)
                throw new InvalidDataException($"{path.Name}:{lineNumber}: expected 9 comma-separated fields, found {fields.Length}.");
            if (fields[0] is not ("M" or "F" or "I"))
                throw new InvalidDataException($"{path.Name}:{lineNumber}: field 1 (Sex) is '{fields[0]}'; expected M, F or I.");
            var values = new float[8];
            for (int i = 1; i < 9; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i - 1]) || !float.IsFinite(values[i - 1]))
                    throw new InvalidDataException($"{path.Name}:{lineNumber}: field {i + 1} ({AbaloneRow.FieldNames[i]}) is '{fields[i]}', not a finite number.");
            }
            rows.Add(new AbaloneRow
            {
                Sex = fields[0], Length = values[0], Diameter = values[1], Height = values[2], WholeWeight = values[3],
                ShuckedWeight = values[4], VisceraWeight = values[5], ShellWeight = values[6], Rings = values[7],
            });
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path.Name}: the file has no data lines.");
        return mlContext.Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// One-hot encodes Sex, concatenates it with the 7 measurements into <c>Features</c> (10 values),
    /// and standardises <c>Features</c> and <c>Rings</c> (into <c>Label</c>) to zero mean and unit
    /// variance. Fit it on the training split only.
    /// </summary>
    public static IEstimator<ITransformer> FeaturePipeline(MLContext mlContext) =>
        mlContext.Transforms.Categorical.OneHotEncoding("SexOneHot", nameof(AbaloneRow.Sex), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(mlContext.Transforms.Concatenate(FeaturesColumn,
                nameof(AbaloneRow.Length), nameof(AbaloneRow.Diameter), nameof(AbaloneRow.Height), nameof(AbaloneRow.WholeWeight),
                nameof(AbaloneRow.ShuckedWeight), nameof(AbaloneRow.VisceraWeight), nameof(AbaloneRow.ShellWeight), "SexOneHot"))
            .Append(mlContext.Transforms.NormalizeMeanVariance(FeaturesColumn, fixZero: false))
            .Append(mlContext.Transforms.NormalizeMeanVariance(LabelColumn, nameof(AbaloneRow.Rings), fixZero: false));

    /// <summary>The reference 80/20 split (seed 42).</summary>
    public static DataOperationsCatalog.TrainTestData Split(MLContext mlContext, IDataView data) =>
        mlContext.Data.TrainTestSplit(data, TestFraction, seed: SplitSeed);

    /// <summary>One line of <c>abalone.data</c>.</summary>
    public sealed class AbaloneRow
    {
        internal static readonly string[] FieldNames =
            { "Sex", "Length", "Diameter", "Height", "Whole weight", "Shucked weight", "Viscera weight", "Shell weight", "Rings" };

        /// <summary>M, F or I (infant).</summary>
        public string Sex { get; set; } = "";
        /// <summary>Longest shell measurement (mm / 200).</summary>
        public float Length { get; set; }
        /// <summary>Perpendicular to length (mm / 200).</summary>
        public float Diameter { get; set; }
        /// <summary>With meat in shell (mm / 200).</summary>
        public float Height { get; set; }
        /// <summary>Whole abalone (grams / 200).</summary>
        public float WholeWeight { get; set; }
        /// <summary>Weight of meat (grams / 200).</summary>
        public float ShuckedWeight { get; set; }
        /// <summary>Gut weight after bleeding (grams / 200).</summary>
        public float VisceraWeight { get; set; }
        /// <summary>After being dried (grams / 200).</summary>
        public float ShellWeight { get; set; }
        /// <summary>Ring count; +1.5 gives the age in years.</summary>
        public float Rings { get; set; }
    }
}
