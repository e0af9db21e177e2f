using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// A comma-separated file with a header row, read strictly: every row must have the header's number
/// of fields, and numeric columns must hold finite numbers. Errors name the file, line and column.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string path, string[] header, List<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Column names, in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (without the header).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static CsvTable Read(string path)
    {
        InputFile.Check(path, "Data file", InputFile.MaxTextBytes);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        var headerLine = reader.ReadLine() ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        var header = headerLine.Split(',').Select(h => h.Trim()).ToArray();
        for (int i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0) throw new InvalidDataException($"{path}:1: column {i + 1} has an empty name.");
            if (Array.IndexOf(header, header[i]) != i) throw new InvalidDataException($"{path}:1: column name '{header[i]}' appears twice.");
        }
        var rows = new List<string[]>();
        int line = 1;
        string? text;
        while ((text = reader.ReadLine()) != null)
        {
            line++;
            if (text.Trim().Length == 0) continue;
            var fields = text.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, but the header has {header.Length}.");
            rows.Add(fields);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no data rows after the header.");
        return new CsvTable(path, header, rows);
    }

    /// <summary>Index of <paramref name="column"/>, or an error listing the columns.</summary>
    public int IndexOf(string column)
    {
        int index = Array.IndexOf((string[])Header, column);
        if (index < 0) throw new ArgumentException($"{Path}: there is no column '{column}'. Columns: {string.Join(", ", Header)}.");
        return index;
    }

    /// <summary>
    /// Features (every column but <paramref name="labelColumn"/>, in file order) and labels as
    /// tensors; classification labels must be whole numbers 0..k−1.
    /// </summary>
    public SupervisedTensors ToTensors(string labelColumn, NetworkTask task)
    {
        int label = IndexOf(labelColumn);
        int width = Header.Count - 1;
        if (width == 0) throw new ArgumentException($"{Path}: the only column is the label '{labelColumn}'; there are no features.");
        var features = new float[Rows.Count * width];
        var regression = new float[Rows.Count];
        var classes = new long[Rows.Count];
        for (int r = 0; r < Rows.Count; r++)
        {
            int k = 0;
            for (int c = 0; c < Header.Count; c++)
            {
                double value = Number(r, c);
                if (c == label)
                {
                    if (task == NetworkTask.Regression) regression[r] = (float)value;
                    else if (value < 0 || value != Math.Floor(value))
                        throw new InvalidDataException($"{Path}:{r + 2}: label '{labelColumn}' is {Rows[r][c]}; class labels must be whole numbers 0, 1, ….");
                    else classes[r] = (long)value;
                }
                else features[r * width + k++] = (float)value;
            }
        }
        var x = torch.tensor(features, new long[] { Rows.Count, width });
        var y = task == NetworkTask.Regression ? torch.tensor(regression) : torch.tensor(classes);
        return new SupervisedTensors(x, y);
    }

    /// <summary>
    /// The table as an <see cref="IDataView"/> with the columns and types <paramref name="schema"/>
    /// names (text columns as text, numeric ones as Single), for a saved ML.NET chain to transform.
    /// </summary>
    public IDataView ToDataView(MLContext mlContext, DataViewSchema schema)
    {
        var columns = new List<TextLoader.Column>();
        foreach (var column in schema)
        {
            if (column.IsHidden) continue;
            int index = IndexOf(column.Name);
            var type = column.Type.RawType;
            if (type == typeof(ReadOnlyMemory<char>)) columns.Add(new TextLoader.Column(column.Name, DataKind.String, index));
            else if (type == typeof(float) || type == typeof(double))
            {
                for (int r = 0; r < Rows.Count; r++) Number(r, index);
                columns.Add(new TextLoader.Column(column.Name, type == typeof(float) ? DataKind.Single : DataKind.Double, index));
            }
            else throw new ArgumentException($"The model's input column '{column.Name}' has type {column.Type}, which a CSV file cannot supply.");
        }
        var loader = mlContext.Data.CreateTextLoader(columns.ToArray(), separatorChar: ',', hasHeader: true);
        return loader.Load(Path);
    }

    private double Number(int row, int column)
    {
        var text = Rows[row][column];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidDataException($"{Path}:{row + 2}: column '{Header[column]}' holds '{text}', not a finite number.");
        return value;
    }
}
