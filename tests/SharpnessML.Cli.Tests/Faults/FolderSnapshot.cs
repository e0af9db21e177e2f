namespace SharpnessML.Cli.Tests.Faults;

/// <summary>Every file under a folder with its size and time, to show a command changed nothing there.</summary>
internal static class FolderSnapshot
{
    public static IReadOnlyList<string> Of(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => File.Exists(p) ? $"{Path.GetRelativePath(folder, p)} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}" : Path.GetRelativePath(folder, p) + "/")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The one line a refused command wrote to standard error.</summary>
    public static string OneLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        return lines[0];
    }
}
