using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SharpnessML.Studies;

/// <summary>
/// The temporary files a study run writes carry the id of the process that writes them
/// (<c>sharpnessml-study-&lt;pid&gt;-&lt;guid&gt;.json|.db</c> in the system's temporary folder,
/// <c>model-NNN.zip.tmp-&lt;pid&gt;-…</c> and <c>model-NNN.zip.pending-&lt;pid&gt;-…</c> in the model folder), so that the
/// next run can remove those a killed process left without touching a live one's. Each is removed on every exit path of
/// the process that made it; <see cref="SweepStale"/> removes the rest.
/// </summary>
internal static partial class TemporaryFiles
{
    private static readonly HashSet<string> Tracked = new(StringComparer.Ordinal);

    private static readonly PosixSignalRegistration[] Signals = RegisterSignals();

    static TemporaryFiles() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteTracked();

    /// <summary>
    /// Removes the tracked files when SIGTERM, SIGINT, SIGQUIT or SIGHUP arrives, before the signal's own action (a
    /// command-line framework may end the process without raising <see cref="AppDomain.ProcessExit"/>).
    /// </summary>
    private static PosixSignalRegistration[] RegisterSignals()
    {
        if (OperatingSystem.IsWindows()) return Array.Empty<PosixSignalRegistration>();
        return new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => DeleteTracked())).ToArray();
    }

    /// <summary>
    /// A new file name in the system's temporary folder, <c>sharpnessml-study-&lt;pid&gt;-&lt;guid&gt;&lt;extension&gt;</c>;
    /// the file (with its <c>-wal</c>/<c>-shm</c> companions) is removed when the process exits normally or on
    /// SIGTERM/Ctrl+C, unless <see cref="Forget"/> was called first.
    /// </summary>
    public static string StudyFile(string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sharpnessml-study-{Environment.ProcessId}-{Guid.NewGuid():N}{extension}");
        lock (Tracked) Tracked.Add(path);
        return path;
    }

    /// <summary>Stops tracking <paramref name="path"/> (its owner removed it).</summary>
    public static void Forget(string path)
    {
        lock (Tracked) Tracked.Remove(path);
    }

    private static void DeleteTracked()
    {
        string[] paths;
        lock (Tracked) paths = Tracked.ToArray();
        foreach (var path in paths)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try
                {
                    File.Delete(path + suffix);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left for the next run's sweep.
                }
            }
        }
    }

    /// <summary>Where a member's model file is written until the member is stored: <c>&lt;path&gt;.pending-&lt;pid&gt;-&lt;id&gt;</c>.</summary>
    public static string PendingName(string path) => $"{path}.pending-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Removes, from the system's temporary folder and from <paramref name="modelDirectory"/> (when given), the
    /// temporary files of study runs whose process is no longer running. Files it cannot remove are left.
    /// </summary>
    public static int SweepStale(string? modelDirectory = null)
    {
        int removed = Sweep(Path.GetTempPath(), "sharpnessml-*", StudyTemporary());
        if (modelDirectory != null && Directory.Exists(modelDirectory)) removed += Sweep(modelDirectory, "model-*.zip.*", ModelTemporary());
        return removed;
    }

    /// <summary>Files younger than this are left alone even when their process looks gone (another pid namespace). One minute.</summary>
    internal static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    /// <summary>How old a temporary file of an earlier version (no process id in its name) must be to be removed: a day.</summary>
    internal static readonly TimeSpan LegacyMinimumAge = TimeSpan.FromDays(1);

    private static int Sweep(string folder, string pattern, Regex names)
    {
        int removed = 0;
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(folder, pattern).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var match = names.Match(name);
            bool legacy = !match.Success && LegacyStudyTemporary().IsMatch(name);
            if (!legacy && (!match.Success || !int.TryParse(match.Groups["pid"].Value, out var pid) || IsRunning(pid))) continue;
            try
            {
                var age = DateTime.UtcNow - File.GetLastWriteTimeUtc(file);
                if (age < (legacy ? LegacyMinimumAge : MinimumAge)) continue; // a process that has just started elsewhere

                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or already gone.
            }
        }

        return removed;
    }

    /// <summary>Whether a process with id <paramref name="pid"/> is running (this one always is).</summary>
    internal static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^sharpnessml-(study-)?(?<pid>\d+)-[0-9a-f]{8,32}(\.[A-Za-z0-9.-]+)?$")]
    private static partial Regex StudyTemporary();

    /// <summary>Names earlier versions gave (no process id): removed once a day old.</summary>
    [GeneratedRegex(@"^sharpnessml-study-[0-9a-f]{32}\.(json|db|db-wal|db-shm)$")]
    private static partial Regex LegacyStudyTemporary();

    [GeneratedRegex(@"^model-\d+\.zip\..*(tmp|pending)-(?<pid>\d+)-[0-9a-f]{8}(\.pt)?$")]
    private static partial Regex ModelTemporary();
}
