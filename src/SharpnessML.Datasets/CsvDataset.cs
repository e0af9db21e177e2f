using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Datasets;

/// <summary>
/// A user's table for a study: a comma-separated file with a header row, one column the label and every other column
/// a numeric feature. <see cref="Load(MLContext, string, string, NetworkTask)"/> reads it strictly (errors name the
/// file, line and column) into a view with a <c>Features</c> vector of Single (slot names: the header's) and a
/// <c>Label</c>: Single for regression, or for classification a key whose values are the classes' names — integer
/// labels in numeric order, text labels in ordinal order.
/// </summary>
public static class CsvDataset
{
    /// <summary>Name of the feature vector column.</summary>
    public const string FeaturesColumn = ColumnNames.Features;

    /// <summary>Name of the label column.</summary>
    public const string LabelColumn = ColumnNames.Label;

    /// <summary>Reads one file.</summary>
    /// <param name="mlContext">The context the view is created with.</param>
    /// <param name="path">The CSV file (header row; comma-separated).</param>
    /// <param name="labelColumnName">The label's column in the header.</param>
    /// <param name="task">Regression (numeric label) or classification (any label).</param>
    public static IDataView Load(MLContext mlContext, string path, string labelColumnName, NetworkTask task) =>
        Load(mlContext, new[] { path }, labelColumnName, task)[0];

    /// <summary>
    /// Reads a training and a test file with the same columns; a classifier's classes are those of both files, so the
    /// two views share one key type.
    /// </summary>
    public static (IDataView Train, IDataView Test) Load(MLContext mlContext, string trainPath, string testPath, string labelColumnName, NetworkTask task)
    {
        var views = Load(mlContext, new[] { trainPath, testPath }, labelColumnName, task);
        return (views[0], views[1]);
    }

    private static IDataView[] Load(MLContext mlContext, string[] paths, string labelColumnName, NetworkTask task)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        var tables = paths.Select(CsvTable.Read).ToArray();
        var first = tables[0];
        int label = first.IndexOf(labelColumnName);
        if (first.Header.Count < 2) throw new InvalidDataException($"{first.Path}: the only column is the label '{labelColumnName}'; there are no features.");
        foreach (var other in tables.Skip(1))
        {
            if (!other.Header.SequenceEqual(first.Header, StringComparer.Ordinal))
                throw new InvalidDataException($"{other.Path}:1: the columns differ from {first.Path}'s ({string.Join(", ", first.Header)}).");
        }

        var featureNames = first.Header.Where((_, c) => c != label).ToArray();
        var classes = task == NetworkTask.Regression ? null : ClassNames(tables, label);
        return tables.Select(table => ToDataView(mlContext, table, label, featureNames, task, classes)).ToArray();
    }

    private static string[] ClassNames(CsvTable[] tables, int label)
    {
        var names = tables.SelectMany(t => t.Rows.Select(r => r[label])).Distinct(StringComparer.Ordinal).ToArray();
        bool numeric = names.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v));
        return numeric
            ? names.OrderBy(n => double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(n => n, StringComparer.Ordinal).ToArray()
            : names.Order(StringComparer.Ordinal).ToArray();
    }

    private static IDataView ToDataView(MLContext ml, CsvTable table, int label, string[] featureNames, NetworkTask task, string[]? classes)
    {
        int width = featureNames.Length;
        var features = new float[table.Rows.Count][];
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var row = new float[width];
            for (int c = 0, k = 0; c < table.Header.Count; c++)
                if (c != label) row[k++] = Number(table, r, c);
            features[r] = row;
        }

        var slotNames = new VBuffer<ReadOnlyMemory<char>>(width, featureNames.Select(n => n.AsMemory()).ToArray());
        if (task == NetworkTask.Regression)
        {
            var rows = features.Select((x, r) => new RegressionRow { Features = x, Label = Number(table, r, label) }).ToArray();
            var schema = SchemaDefinition.Create(typeof(RegressionRow));
            schema[nameof(RegressionRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            schema[nameof(RegressionRow.Features)].AddAnnotation("SlotNames", slotNames, new VectorDataViewType(TextDataViewType.Instance, width));
            return ml.Data.LoadFromEnumerable(rows, schema);
        }

        var index = classes!.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (uint)p.i, StringComparer.Ordinal); // LoadFromEnumerable stores class c as key c + 1
        var keyed = features.Select((x, r) => new ClassificationRow { Features = x, Label = index[table.Rows[r][label]] }).ToArray();
        var keyedSchema = SchemaDefinition.Create(typeof(ClassificationRow));
        keyedSchema[nameof(ClassificationRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        keyedSchema[nameof(ClassificationRow.Features)].AddAnnotation("SlotNames", slotNames, new VectorDataViewType(TextDataViewType.Instance, width));
        keyedSchema[nameof(ClassificationRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes!.Length);
        keyedSchema[nameof(ClassificationRow.Label)].AddAnnotation("KeyValues",
            new VBuffer<ReadOnlyMemory<char>>(classes.Length, classes.Select(n => n.AsMemory()).ToArray()), new VectorDataViewType(TextDataViewType.Instance, classes.Length));
        return ml.Data.LoadFromEnumerable(keyed, keyedSchema);
    }

    /// <summary>A cell as Single: finite as a Single (1e39 is not), else an error naming the file, line and column.</summary>
    private static float Number(CsvTable table, int row, int column)
    {
        var text = table.Rows[row][column];
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            throw new InvalidDataException($"{table.Path}:{row + 2}: column '{table.Header[column]}' holds '{Shorten(text)}', not a finite number.");
        return value;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private sealed class RegressionRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    private sealed class ClassificationRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }
    }
}
