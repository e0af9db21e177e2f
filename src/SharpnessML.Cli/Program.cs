using System.CommandLine;
using SharpnessML.Cli.Commands;
using SharpnessML.Trainers;
using Spectre.Console;

namespace SharpnessML.Cli;

/// <summary>Entry point of the <c>sharpnessml</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line; bad input gives one clear line and exit code 2.</summary>
    public static int Main(string[] args)
    {
        TorchRuntime.RetainFreedNativeMemory(); // an application's choice: see TorchRuntime
        var root = new RootCommand("SharpnessML: train networks, measure the sharpness of their loss landscape, and see how well it predicts generalization.")
        {
            ReproduceCommand.Create(),
            StudyCommand.Create(),
            ScoreCommand.Create(),
            SelectCommand.Create(),
            LandscapeCommand.Create(),
            BenchCommand.Create(),
        };
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"sharpnessml: error: {e.Message}");
            return 2;
        }
    }
}
