using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using SharpnessML.Studies;
using Xunit.Abstractions;

namespace SharpnessML.Cli.Tests.Fuzz;

/// <summary>
/// Fuzzes what the CLI reads — CSV, IDX, study JSON and YAML, model zips, TorchScript — with seeded corruptions of our
/// own valid files (<see cref="Mutations"/>). Every case must exit with 0 or 2: never 1, never a native abort (134) or
/// segmentation fault (139), never over <see cref="PeakRssBound"/> of memory, never past <see cref="CaseTimeout"/>.
/// Parsers run in this process; model files, which reach libtorch, and a sample of the rest run as child processes,
/// whose exit status would show a signal and whose peak RSS (VmHWM) is read while they run.
/// </summary>
[Collection("Console")]
public sealed class InputFuzzTests : IDisposable
{
    /// <summary>The most memory a child may use at its peak: 2 GiB.</summary>
    private const long PeakRssBound = 2L << 30;

    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string Csv = Path.Combine(Fixtures, "data.csv");
    private static readonly string TorchScript = Path.Combine(Fixtures, "fcnn.pt");

    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-fuzz-").FullName;
    private readonly ITestOutputHelper output;

    public InputFuzzTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs every case, then fails once listing each case whose exit code was not 0 or 2.</summary>
    private void Cases(string what, int count, int seed, Func<int, Random, (string Case, int Code, string Error)> run)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        var codes = new Dictionary<int, int>();
        for (int i = 0; i < count; i++)
        {
            var (name, code, error) = run(i, random);
            codes[code] = codes.GetValueOrDefault(code) + 1;
            if (code is not (0 or 2)) failures.Add($"{what} case {i} ({name}): exit {code}: {error.Trim().Split('\n')[0]}");
        }

        output.WriteLine($"{what}: {count} cases, exit codes {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}"))}");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(codes.Count > 1 || codes.ContainsKey(2), $"{what}: every case gave the same exit code"); // the mutations reach the checks
    }

    private (string, int, string) InProcess(string name, params string[] args)
    {
        var (code, _, error) = CliRunner.Run(args);
        return (name, code, error);
    }

    [Fact]
    public void CsvFiles()
    {
        var original = File.ReadAllBytes(Csv);
        Cases("CSV", 100, 1601, (i, random) =>
        {
            var (name, bytes) = Mutations.Apply(original, i, random, text: true);
            var path = Write($"case-{i}.csv", bytes);
            return InProcess(name, "score", "--model", TorchScript, "--loss", "mse", "--data", path, "--label", "target");
        });
    }

    /// <summary>The fixture's rows as float32 IDX files: images [n, 2, 2] and labels [n].</summary>
    private static (byte[] Images, byte[] Labels) FixtureAsIdx()
    {
        var rows = File.ReadAllLines(Csv).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        return (Idx(new[] { rows.Count, 2, 2 }, rows.SelectMany(r => r[..4])), Idx(new[] { rows.Count }, rows.Select(r => r[4])));
    }

    private static byte[] Idx(int[] dimensions, IEnumerable<float> values)
    {
        var list = values.ToList();
        var bytes = new byte[4 + 4 * dimensions.Length + 4 * list.Count];
        bytes[2] = 0x0D;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        for (int i = 0; i < list.Count; i++) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 + 4 * dimensions.Length + 4 * i), list[i]);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest)) zip.Write(bytes);
        return buffer.ToArray();
    }

    [Fact]
    public void IdxFiles()
    {
        var (images, labels) = FixtureAsIdx();
        Cases("IDX", 60, 1602, (i, random) =>
        {
            // Even cases corrupt the images, odd ones the labels; every third is gzip (corrupted before or after compressing).
            bool gzip = i % 3 == 0, afterCompressing = i % 6 == 0;
            var target = i % 2 == 0 ? images : labels;
            var (name, bytes) = Mutations.Apply(afterCompressing ? Gzip(target) : target, i / 2, random, text: false);
            if (gzip && !afterCompressing) bytes = Gzip(bytes);
            var mutated = Write($"case-{i}" + (gzip ? ".gz" : ""), bytes);
            var other = Write($"other-{i}", i % 2 == 0 ? labels : images);
            var (x, y) = i % 2 == 0 ? (mutated, other) : (other, mutated);
            return InProcess(name, "score", "--model", TorchScript, "--loss", "mse", "--data", x, "--labels", y, "--pixels", "raw");
        });
    }

    private const string StudyYaml = """
        name: fuzz
        dataset: abalone
        models: 3
        maxEpochs: 1
        grid:
          learningRate: [0.01, 0.02, 0.05]
        measures:
          - name: adaptive-worst-linf
            batches: 1
            steps: 1
        """;

    /// <summary>Whether a study that loaded is small enough to run here (a mutation can also make it train for hours).</summary>
    private static bool Small(StudyDefinition d) =>
        d.Dataset == StudyDataset.Abalone && d.DataPath is null && d.MemberCount <= 4 && d.MaxEpochs is <= 2 && d.Measures.Count <= 2 &&
        d.Measures.All(m => m.Batches is <= 2 && m.Steps is <= 2 && m.Examples is null or <= 200 && m.BatchSize is null or <= 64);

    [Fact]
    public void StudyFiles()
    {
        var yaml = Encoding.UTF8.GetBytes(StudyYaml);
        var json = Encoding.UTF8.GetBytes(StudyDefinition.Load(Write("base.yaml", yaml)).ToJson());
        int ran = 0;
        Cases("study file", 80, 1603, (i, random) =>
        {
            bool isYaml = i % 2 == 0;
            var (name, bytes) = Mutations.Apply(isYaml ? yaml : json, i / 2, random, text: true);
            var path = Write($"case-{i}" + (isYaml ? ".yaml" : ".json"), bytes);
            StudyDefinition definition;
            try
            {
                definition = StudyDefinition.Load(path);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or ArgumentException)
            {
                // What the CLI turns into one line and exit code 2; check it does.
                return InProcess(name, "study", "run", path, "--workers", "1", "--no-store", "--out", Path.Combine(folder, $"report-{i}"));
            }

            if (!Small(definition) || ran >= 6) return (name, 0, "");
            ran++;
            return InProcess(name, "study", "run", path, "--workers", "1", "--no-store", "--out", Path.Combine(folder, $"report-{i}"));
        });
    }

    /// <summary>A SharpnessML model file: a member of a tiny Abalone study saved with --save-models.</summary>
    private string SavedModel()
    {
        var report = Path.Combine(folder, "pool");
        var (code, _, error) = CliRunner.Run(["reproduce", "abalone", "--models", "3", "--epochs", "1", "--sharpness-batches", "1", "--sharpness-steps", "1",
            "--workers", "1", "--no-store", "--save-models", "--out", report]);
        Assert.True(code == 0, error);
        return Directory.EnumerateFiles(folder, "model-000.zip", SearchOption.AllDirectories).First();
    }

    [Fact]
    public void ModelFilesAndASampleOfTheRestInChildProcesses()
    {
        var model = File.ReadAllBytes(SavedModel());
        var script = File.ReadAllBytes(TorchScript);
        var csv = File.ReadAllBytes(Csv);
        var yaml = Encoding.UTF8.GetBytes(StudyYaml);
        long peak = 0;
        long childrenBefore = ChildrenPeakRss();
        Cases("child process", 30, 1604, (i, random) =>
        {
            string name;
            byte[] bytes;
            string[] args;
            switch (i % 6)
            {
                case 0 or 1:
                    (name, bytes) = Mutations.Apply(model, i / 2, random, text: false);
                    args = new[] { "score", "--model", Write($"case-{i}.zip", bytes), "--data", Csv, "--label", "target" };
                    break;
                case 2 or 3:
                    (name, bytes) = Mutations.Apply(script, i / 2, random, text: false);
                    args = new[] { "score", "--model", Write($"case-{i}.pt", bytes), "--loss", "mse", "--data", Csv, "--label", "target" };
                    break;
                case 4:
                    (name, bytes) = Mutations.Apply(csv, i, random, text: true);
                    args = new[] { "score", "--model", TorchScript, "--loss", "mse", "--data", Write($"case-{i}.csv", bytes), "--label", "target" };
                    break;
                default:
                    (name, bytes) = Mutations.Apply(yaml, i, random, text: true);
                    var path = Write($"case-{i}.yaml", bytes);
                    try
                    {
                        if (!Small(StudyDefinition.Load(path))) return (name, 0, "");
                    }
                    catch (Exception e) when (e is InvalidDataException or FileNotFoundException or ArgumentException)
                    {
                        // Refused: the child must say so with exit code 2.
                    }

                    args = new[] { "study", "run", path, "--workers", "1", "--no-store", "--out", Path.Combine(folder, $"report-{i}") };
                    break;
            }

            var (code, error, rss) = Child(args);
            peak = Math.Max(peak, rss);
            Assert.True(rss < PeakRssBound, $"case {i} ({name}): peak RSS {rss >> 20} MiB");
            return (name, code, error);
        });
        long children = ChildrenPeakRss();
        output.WriteLine($"peak RSS: {peak >> 20} MiB read from VmHWM, {children >> 20} MiB from getrusage(RUSAGE_CHILDREN) (before these cases: {childrenBefore >> 20} MiB); bound {PeakRssBound >> 20} MiB");
        // RUSAGE_CHILDREN is the largest child this test host ever waited for, other tests' children included (a study
        // or landscape run may peak above the bound legitimately): only a rise during these cases is theirs.
        if (children > childrenBefore) Assert.True(children < PeakRssBound, $"a child process peaked at {children >> 20} MiB");
    }

    /// <summary>Runs the CLI as a child: its exit code (128 + signal when a signal ended it), standard error and peak RSS.</summary>
    private (int Code, string Error, long PeakRss) Child(string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpnessml.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long rss = 0;
        var clock = Stopwatch.StartNew();
        while (!process.WaitForExit(25))
        {
            rss = Math.Max(rss, VmHwm(process.Id));
            if (clock.Elapsed > CaseTimeout)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"sharpnessml {string.Join(' ', args)} did not finish within {CaseTimeout.TotalSeconds} s");
            }
        }

        process.WaitForExit();
        lock (error) return (process.ExitCode, error.ToString(), rss);
    }

    private static long VmHwm(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // Exited meanwhile.
        }

        return 0;
    }

    /// <summary>getrusage(RUSAGE_CHILDREN)'s ru_maxrss: the peak RSS of the largest child this process has waited for.</summary>
    private static long ChildrenPeakRss()
    {
        var usage = new long[18]; // struct rusage: two struct timevals (4 longs), then ru_maxrss in KiB
        Assert.Equal(0, GetRusage(-1, usage));
        return usage[4] * 1024;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, long[] usage);
}
