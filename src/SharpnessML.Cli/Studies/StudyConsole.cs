using SharpnessML.Studies;
using Spectre.Console;

namespace SharpnessML.Cli.Studies;

/// <summary>Runs a study for the CLI (<see cref="SharpnessML.Studies.StudyExecution"/>) with a progress display.</summary>
internal static class StudyConsole
{
    /// <summary>The <c>study worker</c> command of this program, which worker processes run.</summary>
    public static StudyWorkerCommand WorkerCommand => StudyWorkerCommand.ForDotnetAssembly(typeof(Program).Assembly.Location, "study", "worker");

    /// <summary>Runs <paramref name="definition"/> and analyses the result.</summary>
    /// <param name="definition">The study.</param>
    /// <param name="storePath">The SQLite store; with several workers and none given, a temporary one is used.</param>
    /// <param name="workers">Processes training members at once.</param>
    /// <param name="modelDirectory">Where to save model files of members trained now, or null.</param>
    public static StudyResult Run(StudyDefinition definition, string? storePath, int workers, string? modelDirectory)
    {
        if (definition.Threads > Environment.ProcessorCount)
        {
            Console.Error.WriteLine($"sharpnessml: warning: {definition.Threads} torch threads asked for, but this machine has {Environment.ProcessorCount} cores; using {Environment.ProcessorCount}.");
            definition.Threads = Environment.ProcessorCount;
        }

        using var execution = SharpnessML.Studies.StudyExecution.Start(definition, new StudyExecutionOptions
        {
            StorePath = storePath, Workers = workers, ModelDirectory = modelDirectory, WorkerCommand = WorkerCommand,
        });
        if (execution.StoredCount > 0)
            AnsiConsole.MarkupLine($"[grey]{execution.StoredCount} member(s) loaded from {Markup.Escape(execution.StorePath!)} (delete it, or pass --fresh, to train them again).[/]");
        int total = definition.MemberCount;
        var title = execution.Workers == 1 ? $"{definition.Name}: {total} models" : $"{definition.Name}: {total} models, {execution.Workers} workers";
        return Progress.Run(title, total, report => execution.Run(report,
            failure => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(failure)}; this process trains what it left.[/]")));
    }
}
