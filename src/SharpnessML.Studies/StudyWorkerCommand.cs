using System.Globalization;

namespace SharpnessML.Studies;

/// <summary>
/// How to start a worker process for one shard of a study: a program and the arguments that come before the worker
/// protocol's own, which is <c>&lt;definition.json&gt; --store &lt;store&gt; --shard &lt;i&gt; --shards &lt;n&gt;
/// [--models-dir &lt;dir&gt;] --parent-pipe</c>. The worker loads the definition, opens the store and runs
/// <see cref="StudyRunner.Run"/> with <see cref="StudyRunSettings.Shard"/> i of n; <c>--parent-pipe</c> says its
/// standard input is a pipe from the parent, whose end (the parent died) makes the worker give up its claims and stop.
/// </summary>
/// <param name="FileName">The program to start (for a framework-dependent .NET program, the <c>dotnet</c> host).</param>
/// <param name="LeadingArguments">The arguments before the protocol's, e.g. <c>sharpnessml.dll study worker</c>.</param>
public sealed record StudyWorkerCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>
    /// The <c>study worker</c> command of a .NET program at <paramref name="assemblyPath"/>, started through the host
    /// that runs this process (<c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> on the path).
    /// </summary>
    public static StudyWorkerCommand ForDotnetAssembly(string assemblyPath, params string[] command) =>
        new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", new[] { assemblyPath }.Concat(command).ToArray());

    /// <summary>The whole argument list for one shard.</summary>
    public IEnumerable<string> Arguments(string definitionPath, string storePath, int shard, int shardCount, string? modelDirectory)
    {
        foreach (var argument in LeadingArguments) yield return argument;
        yield return definitionPath;
        yield return "--store";
        yield return storePath;
        yield return "--shard";
        yield return shard.ToString(CultureInfo.InvariantCulture);
        yield return "--shards";
        yield return shardCount.ToString(CultureInfo.InvariantCulture);
        if (modelDirectory != null)
        {
            yield return "--models-dir";
            yield return modelDirectory;
        }

        yield return "--parent-pipe";
    }

    /// <inheritdoc />
    public override string ToString() => $"{FileName} {string.Join(' ', LeadingArguments)}";
}
