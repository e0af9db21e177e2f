using System.Diagnostics;

namespace SharpnessML.Studies;

/// <summary>
/// Child worker processes (<c>sharpnessml study worker</c>, as <see cref="StudyWorkerCommand"/> says), one per shard. Members run in separate processes rather than
/// threads: TorchSharp 0.107 frees temporary scalars from the GC thread (dotnet/TorchSharp#1496), which crashed
/// in-process parallel members, and separate processes also keep native allocators and OpenMP pools apart. Each
/// worker's standard input is a pipe from this process, so a worker stops when this process dies, even by SIGKILL.
/// </summary>
internal sealed class WorkerProcesses : IDisposable
{
    private readonly List<(int Shard, Process Process, Queue<string> Errors)> workers = new();

    /// <summary>Starts one worker for each shard in <paramref name="shards"/>.</summary>
    public WorkerProcesses(StudyWorkerCommand command, string definitionPath, string storePath, IEnumerable<int> shards, int shardCount, string? modelDirectory)
        : this(command.FileName, shards.Select(shard => (shard, command.Arguments(definitionPath, storePath, shard, shardCount, modelDirectory).ToList())))
    {
    }

    /// <summary>Starts <paramref name="fileName"/> once per shard with that shard's whole argument list (which should say <c>--parent-pipe</c>).</summary>
    public WorkerProcesses(string fileName, IEnumerable<(int Shard, List<string> Arguments)> shards)
    {
        foreach (var (shard, arguments) in shards)
        {
            var start = new ProcessStartInfo(fileName)
            {
                // Standard input is a pipe this process never writes to: when it dies, however it dies, the worker reads
                // the end of it and stops (StudyWorkerCommand's --parent-pipe).
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start a worker process ({fileName} {string.Join(' ', arguments)}).");
            var errors = new Queue<string>();
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (errors)
                {
                    errors.Enqueue(e.Data);
                    if (errors.Count > 5) errors.Dequeue();
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            workers.Add((shard, process, errors));
        }
    }

    /// <summary>True when every worker has exited.</summary>
    public bool AllExited => workers.All(w => w.Process.HasExited);

    /// <summary>One line per worker that exited with an error, with its last error output.</summary>
    public IReadOnlyList<string> Failures()
    {
        var failures = new List<string>();
        foreach (var (shard, process, errors) in workers)
        {
            process.WaitForExit();
            if (process.ExitCode == 0) continue;
            lock (errors) failures.Add($"worker for shard {shard} exited with code {process.ExitCode}: {string.Join(" / ", errors)}");
        }

        return failures;
    }

    /// <summary>Kills workers that are still running.</summary>
    public void Dispose()
    {
        foreach (var (_, process, _) in workers)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
