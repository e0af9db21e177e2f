using System.Diagnostics;
using SharpnessML.Cli;

namespace SharpnessML.TestKit;

/// <summary>
/// Runs the <c>sharpnessml</c> command the two ways the tests need: in this process through <see cref="Program.Main"/>
/// with the console captured (tests using it share the "Console" collection), or as a child process of
/// <c>sharpnessml.dll</c> from the test's output folder.
/// </summary>
internal static class CliRunner
{
    /// <summary>The CLI's exit code and what it wrote to standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    /// <summary>Starts the CLI in a child process in <paramref name="workingDirectory"/>; each line of its standard error goes to <paramref name="error"/>.</summary>
    public static Process Start(string workingDirectory, Action<string> error, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "sharpnessml.dll");
        Assert.True(File.Exists(cli), cli);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) error(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
