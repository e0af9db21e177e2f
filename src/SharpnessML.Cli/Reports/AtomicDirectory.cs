using System.Text.RegularExpressions;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Reports;

/// <summary>
/// A report folder written as a whole, and only where it is ours to replace. <see cref="Prepare"/> checks the
/// destination before any work — it must not exist, be empty, or be a SharpnessML report (it holds the marker file
/// <see cref="MarkerFileName"/>) — and creates the
/// temporary sibling folder the outputs go to, which proves the parent writable. <see cref="Commit"/> writes the
/// marker and moves the folder into place; disposing without committing removes it, so a failure never leaves a
/// half-written report and never touches a folder that is not a report.
/// </summary>
internal sealed class AtomicDirectory : IDisposable
{
    /// <summary>The marker file in every report folder: its content names the study (its id in the store).</summary>
    public const string MarkerFileName = ".sharpnessml-report";

    /// <summary>The subfolder of a report that holds the members' model files (<c>--save-models</c>).</summary>
    public const string ModelsFolderName = "models";

    private readonly string option;
    private readonly string studyId;
    private bool committed;

    private AtomicDirectory(string destination, string temporary, string option, string studyId)
    {
        Destination = destination;
        Temporary = temporary;
        this.option = option;
        this.studyId = studyId;
    }

    /// <summary>The destination, as a full path without a trailing separator.</summary>
    public string Destination { get; }

    /// <summary>The temporary sibling folder the outputs are written to.</summary>
    public string Temporary { get; }

    /// <summary>
    /// Checks <paramref name="destination"/> (normalised: full path, no trailing separator) and creates the temporary
    /// folder beside it; throws an <see cref="IOException"/> naming <paramref name="option"/> and the folder otherwise.
    /// </summary>
    /// <param name="destination">The report folder.</param>
    /// <param name="studyId">The study's name, written to the marker file.</param>
    /// <param name="option">The option that named the folder, for messages.</param>
    public static AtomicDirectory Prepare(string destination, string studyId, string option = "--out")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var full = Normalize(destination);
        var parent = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(parent)) throw new IOException($"{option} '{destination}' is the root folder; give a report folder inside it.");
        CheckReplaceable(full, destination, option);
        if (File.Exists(parent)) throw new IOException($"{option} '{destination}': '{parent}' is a file, not a folder.");
        string temp;
        try
        {
            Directory.CreateDirectory(parent);
            SweepStale(parent, Path.GetFileName(full));
            temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(temp);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"{option} '{destination}': cannot write in '{parent}': {CliErrors.OneLine(e.Message)}", e);
        }
        return new AtomicDirectory(full, temp, option, studyId);
    }

    /// <summary>Calls <paramref name="write"/> with the temporary folder, then commits it (see <see cref="Prepare"/>).</summary>
    public static void Write(string destination, string studyId, Action<string> write)
    {
        using var folder = Prepare(destination, studyId);
        write(folder.Temporary);
        folder.Commit();
    }

    /// <summary><paramref name="path"/> as a full path without a trailing separator (<c>.</c>, <c>x/</c> and <c>x/./</c> resolved).</summary>
    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>
    /// Writes the marker and moves the temporary folder to the destination, replacing a report there (checked again:
    /// the folder may have changed while the study ran). Model files of the report it replaces that this run did not
    /// write again (members loaded from the store) are kept.
    /// </summary>
    public void Commit()
    {
        if (committed) throw new InvalidOperationException("The report folder was already committed.");
        File.WriteAllText(Path.Combine(Temporary, MarkerFileName), $"sharpnessml report\nstudy: {studyId}\n");
        CheckReplaceable(Destination, Destination, option);
        var parent = Path.GetDirectoryName(Destination)!;
        if (Directory.Exists(Destination))
        {
            KeepOldModels(Path.Combine(Destination, ModelsFolderName), Path.Combine(Temporary, ModelsFolderName));
            var old = Path.Combine(parent, $".{Path.GetFileName(Destination)}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.Move(Destination, old);
            Directory.Move(Temporary, Destination);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(Temporary, Destination);
        }
        committed = true;
    }

    /// <summary>Removes the temporary folder unless it was committed.</summary>
    public void Dispose()
    {
        if (!committed && Directory.Exists(Temporary)) Directory.Delete(Temporary, recursive: true);
    }

    /// <summary>
    /// Removes the temporary and replaced siblings of report folder <paramref name="name"/> that killed runs left in
    /// <paramref name="parent"/>: <c>.NAME.tmp-PID-GUID</c> and <c>.NAME.old-PID-GUID</c> whose process is gone and
    /// which are older than a minute, and those of earlier versions (<c>.NAME.tmp-GUID</c>, no process id) older than a
    /// day. Nothing else is touched; what cannot be removed is left.
    /// </summary>
    internal static int SweepStale(string parent, string name)
    {
        int removed = 0;
        var ours = new Regex("^" + Regex.Escape("." + name) + @"\.(tmp|old)-(?<pid>[0-9]+)-[0-9a-f]{32}$");
        var legacy = new Regex("^" + Regex.Escape("." + name) + @"\.(tmp|old)-[0-9a-f]{32}$");
        IEnumerable<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories(parent, $".{name}.*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (var folder in folders)
        {
            var match = ours.Match(Path.GetFileName(folder));
            bool old = !match.Success && legacy.IsMatch(Path.GetFileName(folder));
            if (!old && (!match.Success || !int.TryParse(match.Groups["pid"].Value, out var pid) || TemporaryFiles.IsRunning(pid))) continue;
            try
            {
                var age = DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder);
                if (age < (old ? TemporaryFiles.LegacyMinimumAge : TemporaryFiles.MinimumAge)) continue;
                Directory.Delete(folder, recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or already gone.
            }
        }

        return removed;
    }

    private static void CheckReplaceable(string full, string given, string option)
    {
        if (File.Exists(full)) throw new IOException($"{option} '{given}' is a file; the report is a folder: give a folder that does not exist yet.");
        if (!Directory.Exists(full)) return;
        if (File.Exists(Path.Combine(full, MarkerFileName))) return;
        var entries = Directory.EnumerateFileSystemEntries(full).Take(1).ToList();
        if (entries.Count == 0) return;
        throw new IOException($"{option} '{given}' is a folder that is not a SharpnessML report (it has no {MarkerFileName} file); " +
                              "refusing to replace it: give a new or empty folder.");
    }

    private static void KeepOldModels(string oldModels, string newModels)
    {
        if (!Directory.Exists(oldModels)) return;
        foreach (var file in Directory.EnumerateFiles(oldModels))
        {
            var target = Path.Combine(newModels, Path.GetFileName(file));
            if (File.Exists(target)) continue;
            Directory.CreateDirectory(newModels);
            File.Move(file, target);
        }
    }
}
