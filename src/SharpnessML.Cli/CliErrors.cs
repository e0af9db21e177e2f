using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace SharpnessML.Cli;

/// <summary>
/// The CLI's one exception boundary: which exceptions are the user's input (one line, exit code 2) and which are
/// internal errors (one line with "please report" and a log file holding the whole exception, exit code 1).
/// </summary>
internal static partial class CliErrors
{
    /// <summary>Longest message printed; longer ones (a 10 MB field echoed back) are cut.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// Exceptions that describe bad input: arguments and options, files (missing, malformed, unreadable, not writable),
    /// data, and states the input puts the program in. The library's messages name the file, option, row or column.
    /// </summary>
    public static bool IsBadInput(Exception e) => (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException
        or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException && e is not ObjectDisposedException) || IsTorchScriptError(e);

    /// <summary>An error raised by a TorchScript model's own code (libtorch's interpreter), which is the model's, not ours.</summary>
    private static bool IsTorchScriptError(Exception e) =>
        e is ExternalException && e.Message.Contains("in the TorchScript interpreter", StringComparison.Ordinal);

    /// <summary>The exception's message as one line of at most <see cref="MaxMessageLength"/> characters.</summary>
    public static string Message(Exception e) =>
        IsTorchScriptError(e)
            // The interpreter's message is both tracebacks; its last line is what the model raised.
            ? OneLine("a TorchScript model's code failed: " + e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1])
            // ArgumentException appends " (Parameter 'x')", ArgumentOutOfRangeException a line "Actual value was …", also when
            // wrapped in another exception's message: the library's messages already say which setting and value.
            : OneLine(ActualValue().Replace(ParameterName().Replace(e.Message, ""), ""));

    /// <summary>Joins <paramref name="text"/>'s lines with spaces and cuts it to <see cref="MaxMessageLength"/> characters.</summary>
    public static string OneLine(string text)
    {
        var line = Whitespace().Replace(text.Trim(), " ");
        return line.Length <= MaxMessageLength ? line : line[..MaxMessageLength] + $"… ({line.Length:N0} characters in all)";
    }

    /// <summary>Writes <paramref name="e"/> whole to a log file and returns the one line that points to it.</summary>
    public static string Internal(Exception e, string[] args)
    {
        string where;
        try
        {
            var folder = Path.Combine(Path.GetTempPath(), "sharpnessml-logs");
            Directory.CreateDirectory(folder);
            where = Path.Combine(folder, $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
            var text = new StringBuilder()
                .AppendLine($"sharpnessml {typeof(Program).Assembly.GetName().Version} on {RuntimeInformation.OSDescription}, .NET {Environment.Version}")
                .AppendLine("arguments: " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)))
                .AppendLine(e.ToString());
            File.WriteAllText(where, text.ToString());
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException)
        {
            where = "(no log: " + OneLine(logError.Message) + ")";
        }
        return $"sharpnessml: internal error: {e.GetType().Name}: {OneLine(e.Message)} — this is a bug, please report it with the log {where}";
    }

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@" \(Parameter '[^'\r\n]*'\)")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"[\r\n]+Actual value was [^\r\n]*")]
    private static partial Regex ActualValue();
}
