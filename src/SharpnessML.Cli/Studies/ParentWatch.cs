using System.Diagnostics;

namespace SharpnessML.Cli.Studies;

/// <summary>
/// Makes a worker process die with its parent: the parent gives the worker a pipe as standard input and never writes
/// to it, so reading it returns end-of-file exactly when the parent has exited (however it exited, SIGKILL included;
/// the pipe's write end closes with the parent). The worker then gives up its claims and kills itself.
/// </summary>
internal static class ParentWatch
{
    /// <summary>Starts a background thread that waits for the end of standard input, runs <paramref name="beforeExit"/>, and ends the process.</summary>
    public static void StopWhenParentDies(Action beforeExit)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var input = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (input.Read(buffer, 0, buffer.Length) > 0)
                {
                    // The parent writes nothing; anything read is ignored.
                }
            }
            catch (IOException)
            {
                // A broken pipe is the same news.
            }

            try
            {
                var release = Task.Run(beforeExit);
                release.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // Best effort: the claims' leases expire by themselves.
            }

            using var self = Process.GetCurrentProcess();
            self.Kill(); // at once: the member being trained is not stored, and no native code runs on in the background
        })
        {
            IsBackground = true, Name = "parent watch",
        };
        thread.Start();
    }
}
