using System.Globalization;
using SharpnessML.Datasets;

namespace SharpnessML.Cli.Scoring;

/// <summary>
/// The models of <c>sharpnessml correlate</c>: a CSV file with one row per model — its path (relative paths are relative
/// to the file), its generalization quantity (e.g. test loss), optionally its test error (<c>TestError</c>), and any
/// other columns as hyperparameters (text), over which granulated Ψ and CMI are computed.
/// </summary>
internal sealed class ModelPoolFile
{
    /// <summary>One model.</summary>
    public sealed record Row(int Line, string Path, double Generalization, double TestError, IReadOnlyDictionary<string, string> Hyperparameters);

    private ModelPoolFile(string path, IReadOnlyList<Row> rows, IReadOnlyList<string> hyperparameters)
    {
        FilePath = path;
        Rows = rows;
        Hyperparameters = hyperparameters;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The models, in file order.</summary>
    public IReadOnlyList<Row> Rows { get; }

    /// <summary>The hyperparameter columns, in file order.</summary>
    public IReadOnlyList<string> Hyperparameters { get; }

    /// <summary>Name of the optional test-error column.</summary>
    public const string TestErrorColumn = "TestError";

    /// <summary>Reads <paramref name="path"/>; errors name the file, line and column.</summary>
    public static ModelPoolFile Read(string path, string modelColumn, string generalizationColumn)
    {
        var table = CsvTable.Read(path);
        int model = Column(table, modelColumn, "--model-column");
        int generalization = Column(table, generalizationColumn, "--generalization");
        int error = table.Header.ToList().IndexOf(TestErrorColumn);
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var hyper = Enumerable.Range(0, table.Header.Count).Where(c => c != model && c != generalization && c != error).ToList();
        var rows = new List<Row>();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var fields = table.Rows[r];
            int line = r + 2;
            var file = System.IO.Path.GetFullPath(fields[model], folder);
            if (!File.Exists(file)) throw new FileNotFoundException($"{path}:{line}: model file '{fields[model]}' does not exist.", file);
            rows.Add(new Row(line, file, Number(table, r, generalization), error < 0 ? double.NaN : Number(table, r, error),
                hyper.ToDictionary(c => table.Header[c], c => fields[c], StringComparer.Ordinal)));
        }

        if (rows.Count < 3) throw new InvalidDataException($"{path}: {rows.Count} model(s); correlating needs at least 3.");
        if (rows.Select(r => r.Path).Distinct(StringComparer.Ordinal).Count() != rows.Count)
            throw new InvalidDataException($"{path}: a model file is listed twice.");
        return new ModelPoolFile(path, rows, hyper.Select(c => table.Header[c]).ToList());
    }

    private static int Column(CsvTable table, string name, string option)
    {
        int index = table.Header.ToList().IndexOf(name);
        if (index < 0) throw new ArgumentException($"{table.Path}: there is no column '{name}' ({option}). Columns: {string.Join(", ", table.Header)}.");
        return index;
    }

    private static double Number(CsvTable table, int row, int column)
    {
        var text = table.Rows[row][column];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidDataException($"{table.Path}:{row + 2}: column '{table.Header[column]}' holds '{(text.Length > 40 ? text[..40] + "…" : text)}', not a finite number.");
        return value;
    }
}
