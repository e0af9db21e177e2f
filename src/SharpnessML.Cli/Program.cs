using System.CommandLine;
using SharpnessML.Cli.Commands;
using SharpnessML.Trainers;

namespace SharpnessML.Cli;

/// <summary>Entry point of the <c>sharpnessml</c> command.</summary>
public static class Program
{
    /// <summary>
    /// Runs the command line. Bad input — a parse error, a bad option, file, column or row — gives one line naming
    /// it and exit code 2; anything else is an internal error: one line saying so, the full exception in a log
    /// file (<see cref="CliErrors"/>), exit code 1.
    /// </summary>
    public static int Main(string[] args)
    {
        TorchRuntime.RetainFreedNativeMemory(); // an application's choice: see TorchRuntime
        var root = new RootCommand("SharpnessML: train networks, measure the sharpness of their loss landscape, and see how well it predicts generalization.");
        foreach (var command in Commands(args)) root.Subcommands.Add(command);
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // System.CommandLine would print every error and the whole help text, exit 1: one line instead.
                var command = parse.CommandResult.Command;
                var path = command == root ? "sharpnessml" : "sharpnessml " + string.Join(' ', CommandPath(parse));
                Console.Error.WriteLine($"sharpnessml: error: {CliErrors.OneLine(parse.Errors[0].Message)} (see {path} --help)");
                return 2;
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (CliErrors.IsBadInput(e))
        {
            Console.Error.WriteLine($"sharpnessml: error: {CliErrors.Message(e)}");
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(CliErrors.Internal(e, args));
            return 1;
        }
    }

    private static readonly (string Name, Func<Command> Create)[] CommandFactories =
    {
        ("reproduce", ReproduceCommand.Create), ("study", StudyCommand.Create), ("score", ScoreCommand.Create), ("select", SelectCommand.Create),
        ("correlate", CorrelateCommand.Create), ("landscape", LandscapeCommand.Create), ("bench", BenchCommand.Create),
    };

    /// <summary>
    /// The commands to parse <paramref name="args"/> with: only the one named first when it names one (building a
    /// command builds its options and loads the assemblies they name — <c>score</c> need not load the study runner's),
    /// every command otherwise (root help, a misspelt command, an option before the command).
    /// </summary>
    private static IEnumerable<Command> Commands(string[] args)
    {
        var named = args.Length > 0 ? CommandFactories.Where(f => f.Name == args[0]).ToList() : new();
        return (named.Count == 1 ? named : CommandFactories.ToList()).Select(f => f.Create());
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result != null && result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return names;
    }
}
