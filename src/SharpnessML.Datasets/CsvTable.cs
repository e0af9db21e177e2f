using System.Globalization;
using Microsoft.VisualBasic.FileIO;
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

    private List<long>? lines;

    /// <summary>
    /// The line data row <paramref name="row"/> starts on (1 is the header): the line before the one the parser was
    /// at after reading it (the file's last line at its end), less the line breaks inside its quoted fields.
    /// Computed for error messages only.
    /// </summary>
    private long LineOf(int row)
    {
        if (lines is null) return row + 2;
        long end = lines[row] >= 0 ? lines[row] - 1 : CountLines(Path);
        return end - Rows[row].Sum(field => field.Count(c => c == '\n'));
    }

    private static long CountLines(string path)
    {
        using var reader = new StreamReader(path);
        long count = 0;
        while (reader.ReadLine() != null) count++;
        return count;
    }

    /// <summary>
    /// Reads <paramref name="path"/> with a CSV parser (<see cref="TextFieldParser"/>): fields may be quoted
    /// (<c>"α,β"</c>, <c>"say ""hi"""</c>), blank lines are skipped, and whitespace around fields is trimmed.
    /// </summary>
    public static CsvTable Read(string path)
    {
        if (Directory.Exists(path)) throw new FileNotFoundException($"Data file '{path}' is a folder, not a CSV file.", path);
        InputFile.Check(path, "Data file", InputFile.MaxTextBytes);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        CheckLineLengths(path);
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = true };
        parser.SetDelimiters(",");
        var header = ReadRecord(parser, path, out _) ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        for (int i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0) throw new InvalidDataException($"{path}:1: column {i + 1} has an empty name.");
            if (Array.IndexOf(header, header[i]) != i) throw new InvalidDataException($"{path}:1: column name '{Shown(header[i])}' appears twice.");
        }
        var rows = new List<string[]>();
        var lines = new List<long>();
        while (ReadRecord(parser, path, out long after) is { } fields)
        {
            rows.Add(fields);
            lines.Add(after);
            if (fields.Length != header.Length)
            {
                var partial = new CsvTable(path, header, rows) { lines = lines };
                throw new InvalidDataException($"{path}:{partial.LineOf(rows.Count - 1)}: {fields.Length} fields, but the header has {header.Length}.");
            }
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no data rows after the header.");
        return new CsvTable(path, header, rows) { lines = lines };
    }

    /// <summary>
    /// The longest line read: a longer one (a 10 MB field) is refused with its line number before parsing, which
    /// would take TextFieldParser close to a minute (its buffer grows quadratically). A million characters holds
    /// 100,000 numeric columns.
    /// </summary>
    public const int MaxLineLength = 1_000_000;

    private static void CheckLineLengths(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[1 << 16];
        long line = 1;
        int length = 0, read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] == '\n') (line, length) = (line + 1, 0);
                else if (++length > MaxLineLength)
                    throw new InvalidDataException($"{path}:{line}: a line longer than {MaxLineLength:N0} characters, the most a CSV line may have.");
            }
        }
    }

    /// <summary>
    /// The next record, or null at the end; <paramref name="after"/> is the parser's line number after it (the line
    /// after the record's last, or −1 at the end of the file), from which <see cref="LineOf"/> finds where it starts.
    /// </summary>
    private static string[]? ReadRecord(TextFieldParser parser, string path, out long after)
    {
        while (true)
        {
            string[]? fields;
            try
            {
                if (parser.EndOfData)
                {
                    after = -1;
                    return null;
                }
                fields = parser.ReadFields();
                after = parser.LineNumber;
            }
            catch (MalformedLineException e)
            {
                throw new InvalidDataException($"{path}:{e.LineNumber}: a field's quotes are not closed or are followed by other text: {Shown(parser.ErrorLine)}", e);
            }
            catch (InvalidOperationException e)
            {
                // TextFieldParser holds at most 10,000,000 characters of one record (lines spanned by a quoted field).
                throw new InvalidDataException($"{path}:{Math.Max(parser.LineNumber, 1)}: a record longer than the CSV reader's limit (10,000,000 characters).", e);
            }
            if (fields is null) return null;
            if (fields.Length == 1 && fields[0].Length == 0) continue; // a line of spaces
            return fields;
        }
    }

    /// <summary>At most 60 characters of <paramref name="text"/>, for messages (a 10 MB field is not echoed whole).</summary>
    internal static string Shown(string text, int most = 60) => text.Length <= most ? text : text[..most] + $"… ({text.Length:N0} characters)";

    /// <summary>Index of <paramref name="column"/>, or an error listing the columns.</summary>
    public int IndexOf(string column)
    {
        int index = Array.IndexOf((string[])Header, column);
        if (index < 0) throw new ArgumentException($"{Path}: there is no column '{Shown(column)}'. Columns: {Shown(string.Join(", ", Header), 500)}.");
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
                        throw new InvalidDataException($"{Path}:{LineOf(r)}: label '{labelColumn}' is {Shown(Rows[r][c])}; class labels must be whole numbers 0, 1, ….");
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
                for (int r = 0; r < Rows.Count; r++) Number(r, index, single: type == typeof(float));
                columns.Add(new TextLoader.Column(column.Name, type == typeof(float) ? DataKind.Single : DataKind.Double, index));
            }
            else throw new ArgumentException($"The model's input column '{column.Name}' has type {column.Type}, which a CSV file cannot supply.");
        }
        var loader = mlContext.Data.CreateTextLoader(columns.ToArray(), separatorChar: ',', hasHeader: true, allowQuoting: true);
        return loader.Load(Path);
    }

    /// <summary>
    /// The cell as a number; <paramref name="single"/>: it becomes a 32-bit float, so it must be finite as one
    /// (1e39 is a finite double but float infinity).
    /// </summary>
    private double Number(int row, int column, bool single = true)
    {
        var text = Rows[row][column];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidDataException($"{Path}:{LineOf(row)}: column '{Shown(Header[column])}' holds '{Shown(text)}', not a finite number.");
        if (single && !float.IsFinite((float)value))
            throw new InvalidDataException($"{Path}:{LineOf(row)}: column '{Shown(Header[column])}' holds '{Shown(text)}', beyond the range of a 32-bit float (±3.4e38).");
        return value;
    }
}
