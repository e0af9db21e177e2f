using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SharpnessML.Cli.Tests.Packaging;

/// <summary>
/// SharpnessML as a user meets it: the solution packed into a temporary feed; a console app in a temporary folder
/// outside the repository that takes <c>SharpnessML.Transforms</c> from it, trains an ML.NET pipeline on a CSV and
/// measures it; the same program through a <c>ProjectReference</c> and as a published app; a file-based app; and
/// the tool installed with <c>dotnet tool install --tool-path</c> running <c>score</c> and <c>reproduce abalone</c>.
/// Everything restores into an empty NuGet packages folder and an empty native cache, so TorchSharp's native
/// library is patched at run time, as on a user's machine. Slow (minutes: the packages are downloaded again).
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackagingTests : IDisposable
{
    private static readonly string Repository = RepositoryPaths.Root;
    private readonly string root = Directory.CreateTempSubdirectory("sharpnessml-packaging-").FullName;
    private readonly Dictionary<string, string> environment;
    private readonly string feed, version;

    public PackagingTests()
    {
        feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
        environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Directory.CreateDirectory(Path.Combine(root, "packages")).FullName,
            ["XDG_CACHE_HOME"] = Directory.CreateDirectory(Path.Combine(root, "cache")).FullName,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        version = PackageVersion();
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void PackagesProjectReferencePublishedAppFileBasedAppAndToolWorkOutsideTheRepository()
    {
        // 1. Pack the solution (the tool for this machine's platform only, to keep the test's download small).
        Dotnet(Repository, "pack", "SharpnessML.sln", "-c", "Release", "-o", feed, "-p:ToolPackageRuntimeIdentifiers=linux-x64");
        var packages = Directory.GetFiles(feed).Select(Path.GetFileName).ToList();
        foreach (var id in new[] { "SharpnessML.Trainers", "SharpnessML.Datasets", "SharpnessML.Transforms", "SharpnessML.Studies", "SharpnessML.Cli", "SharpnessML.Cli.linux-x64" })
        {
            Assert.Contains($"{id}.{version}.nupkg", packages);
        }
        foreach (var id in new[] { "SharpnessML.Trainers", "SharpnessML.Datasets", "SharpnessML.Transforms", "SharpnessML.Studies" })
            Assert.Contains($"{id}.{version}.snupkg", packages);
        Assert.DoesNotContain(packages, p => p!.Contains(".Tests.", StringComparison.Ordinal) || p.StartsWith("SharpnessML.TestKit", StringComparison.Ordinal) || p.StartsWith("QuickStart", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="sharpnessml-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var (train, test) = WriteFlowers(Path.Combine(root, "data"));

        // 2. A console app that takes the package.
        var app = Path.Combine(root, "app");
        Dotnet(root, "new", "console", "-o", app, "--framework", "net10.0");
        File.Copy(ConsumerProgram, Path.Combine(app, "Program.cs"), overwrite: true);
        Dotnet(app, "add", "package", "SharpnessML.Transforms", "--version", version);
        var model = Path.Combine(root, "model.zip");
        AssertConsumerOutput(Dotnet(app, "run", "-c", "Release", "--", train, test, model));

        // 3. The same program as a published app.
        var published = Path.Combine(root, "published");
        Dotnet(app, "publish", "-c", "Release", "-o", published);
        AssertConsumerOutput(Run(Path.Combine(published, "app"), root, train, test, Path.Combine(root, "model-published.zip")));

        // 3b. A published app that lost one of libtorch's libraries fails with one paragraph, not TorchSharp's trace.
        var broken = Path.Combine(root, "broken");
        CopyTree(published, broken);
        var removed = Directory.GetFiles(broken, "libc10.so", SearchOption.AllDirectories);
        Assert.NotEmpty(removed);
        foreach (var file in removed) File.Delete(file);
        var failure = RunFailing(Path.Combine(broken, "app"), root, train, test, Path.Combine(root, "model-broken.zip"));
        Assert.Contains("SharpnessML could not load TorchSharp's native library", failure);
        Assert.Contains("libc10.so", failure);
        Assert.DoesNotContain("Trace from LoadNativeBackend", failure);

        // 4. The same program through a ProjectReference to a copy of the sources (outside the repository, so its
        //    restore into the empty packages folder leaves the repository's build untouched).
        var sources = CopySources(Path.Combine(root, "sources"));
        var referencing = Path.Combine(root, "referencing");
        Dotnet(root, "new", "console", "-o", referencing, "--framework", "net10.0");
        File.Copy(ConsumerProgram, Path.Combine(referencing, "Program.cs"), overwrite: true);
        Dotnet(referencing, "add", "reference", Path.Combine(sources, "src", "SharpnessML.Transforms", "SharpnessML.Transforms.csproj"));
        AssertConsumerOutput(Dotnet(referencing, "run", "-c", "Release", "--", train, test, Path.Combine(root, "model-referenced.zip")));

        // 5. A .NET 10 file-based app.
        var script = Path.Combine(root, "script");
        Directory.CreateDirectory(script);
        // File-based apps default to PublishAot, whose run-time switch turns off the dynamic code ML.NET needs.
        File.WriteAllText(Path.Combine(script, "app.cs"),
            $"#:package SharpnessML.Transforms@{version}\n#:property PublishAot=false\n" + File.ReadAllText(ConsumerProgram));
        AssertConsumerOutput(Dotnet(script, "run", "app.cs", "--", train, test, Path.Combine(root, "model-script.zip")));

        // 6. The tool: score the user's model file, and reproduce abalone from a folder outside the repository.
        var tools = Path.Combine(root, "tools");
        Dotnet(root, "tool", "install", "SharpnessML.Cli", "--version", version, "--tool-path", tools);
        var sharpnessml = Path.Combine(tools, "sharpnessml");
        var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        var score = Run(sharpnessml, work, "score", "--model", model, "--data", test, "--label", "Species", "--measure", "adaptive-worst-linf", "--format", "json");
        Assert.Contains("\"adaptive-worst-linf\"", score);
        var reproduce = Run(sharpnessml, work, "reproduce", "abalone", "--models", "4");
        Assert.Matches(@"Kendall τ = -?[0-9.]+ \(p = [0-9.]+\) between adaptive-worst-linf", reproduce);
        Assert.Matches(@"(?m)^\[4/4\]", reproduce);
        Assert.True(File.Exists(Path.Combine(work, "reports", "abalone", "summary.md")), reproduce);
        Assert.True(File.Exists(Path.Combine(work, "reports", "abalone", "scatter-adaptive-worst-linf.png")), reproduce);
    }

    private static void AssertConsumerOutput(string output)
    {
        double accuracy = Number(output, @"^accuracy ([0-9.]+)");
        double reloaded = Number(output, @"^reloaded accuracy ([0-9.]+)");
        double sharpness = Number(output, @"^adaptive-worst-linf ([0-9.eE+-]+)");
        Assert.True(accuracy >= 0.9, $"test accuracy {accuracy} < 0.9 on well-separated classes:\n{output}");
        Assert.Equal(accuracy, reloaded);
        Assert.True(sharpness > 0 && double.IsFinite(sharpness), output);
        Assert.Matches(@"(?m)^selected model [0-2]$", output);
    }

    private static double Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"no line matching {pattern} in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Three species of four measurements each, in Gaussian clusters 3 standard deviations apart.</summary>
    private static (string Train, string Test) WriteFlowers(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        string Write(string name, int perClass)
        {
            var text = new StringBuilder("A,B,C,D,Species\n");
            for (int i = 0; i < perClass; i++)
                foreach (var (species, centre) in new[] { ("setosa", 0.0), ("versicolor", 3.0), ("virginica", 6.0) })
                {
                    var values = Enumerable.Range(0, 4).Select(j => (10 + centre * (j % 2 == 0 ? 1 : -1) + Gaussian(random)).ToString("F3", CultureInfo.InvariantCulture));
                    text.Append(string.Join(',', values)).Append(',').Append(species).Append('\n');
                }
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, text.ToString());
            return path;
        }
        return (Write("train.csv", 60), Write("test.csv", 20));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private string CopySources(string target)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "LICENSE", "docs/package/README.md" })
            CopyFile(Path.Combine(Repository, file), Path.Combine(target, file));
        foreach (var folder in new[] { "src/SharpnessML.Trainers", "src/SharpnessML.Datasets", "src/SharpnessML.Transforms", "data" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository, folder), "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(Repository, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
                CopyFile(file, Path.Combine(target, relative));
            }
        return target;
    }

    private static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            CopyFile(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    private string Dotnet(string workingDirectory, params string[] arguments) => Run("dotnet", workingDirectory, arguments);

    private string Run(string program, string workingDirectory, params string[] arguments)
    {
        var (exitCode, output) = Execute(program, workingDirectory, arguments);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)} (in {workingDirectory}) exited with {exitCode}:\n{output}");
        return output;
    }

    private string RunFailing(string program, string workingDirectory, params string[] arguments)
    {
        var (exitCode, output) = Execute(program, workingDirectory, arguments);
        Assert.True(exitCode != 0, $"{program} {string.Join(' ', arguments)} succeeded but should have failed:\n{output}");
        return output;
    }

    private (int ExitCode, string Output) Execute(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in 20 minutes:\n{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private static string ConsumerProgram => Path.Combine(Repository, "tests", "SharpnessML.Cli.Tests", "Packaging", "Consumer", "Program.cs");

    private static string PackageVersion()
    {
        var props = File.ReadAllText(Path.Combine(Repository, "Directory.Build.props"));
        var prefix = Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        var suffix = Regex.Match(props, "<VersionSuffix>([^<]+)</VersionSuffix>").Groups[1].Value;
        return suffix.Length > 0 ? $"{prefix}-{suffix}" : prefix;
    }
}
