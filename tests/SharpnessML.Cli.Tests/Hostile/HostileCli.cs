using System.Diagnostics;
using System.Security.Cryptography;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>What the hostile-input tests share: the fixtures, a child-process run, file-system snapshots, the one-line check.</summary>
internal static class HostileCli
{
    public static readonly string TorchScriptFolder = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    public static readonly string HostileFolder = Path.Combine(AppContext.BaseDirectory, "Data", "hostile");
    public static readonly string Model = Path.Combine(TorchScriptFolder, "fcnn.pt");
    public static readonly string Data = Path.Combine(TorchScriptFolder, "data.csv");

    /// <summary>
    /// Runs the CLI in a child process (a native abort would be its exit code 134, not the test host's death) and
    /// waits at most two minutes.
    /// </summary>
    public static (int Code, string Output, string Error) RunChild(string workingDirectory, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "sharpnessml.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"sharpnessml {string.Join(' ', args)} did not finish in two minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Asserts exit code 2 and that standard error is one line <c>sharpnessml: error: …</c> containing every fragment; returns it.</summary>
    public static string AssertOneLineError(int code, string error, params string[] fragments)
    {
        Assert.True(code == 2, $"exit code {code}, expected 2; stderr: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}: {error}");
        Assert.StartsWith("sharpnessml: error: ", lines[0]);
        foreach (var fragment in fragments) Assert.Contains(fragment, lines[0]);
        return lines[0];
    }

    /// <summary>Every file and folder under <paramref name="root"/> (relative path, and a file's SHA-256), sorted.</summary>
    public static List<string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path) + (File.Exists(path) ? " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "/"))
            .Order(StringComparer.Ordinal).ToList();
}
