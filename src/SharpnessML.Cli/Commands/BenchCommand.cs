using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpnessML.Cli.Bench;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary><c>sharpnessml bench</c>: ratios measured side by side in one run, as a table and JSON.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "JSON file for the table.", DefaultValueFactory = _ => "reports/bench.json" };
        var quick = new Option<bool>("--quick") { Description = "Smaller sizes (for a smoke test); ratios are noisier." };
        var only = new Option<string[]>("--only") { Description = "Run only these groups: " + string.Join(", ", BenchmarkSuite.Groups) + "." };
        only.AcceptOnlyFromAmong(BenchmarkSuite.Groups);
        var vsPython = new Option<bool>("--vs-python")
        {
            Description = "Run the Python anchors (group python): PyHessian- and tml-epfl-equivalent code under /usr/bin/python3's torch on the same weights and data, "
                + "at 1 and 2 threads, rounds alternating; alone it runs only them, with --only it adds them. Skipped with one line when /usr/bin/python3 has no torch.",
        };
        // Internal: the memory group runs one study alone in a child process to read its peak memory.
        var childStudy = new Option<int?>(BenchmarkSuite.ChildStudyOption) { Hidden = true };
        var command = new Command("bench", "Measure the library's costs as ratios within one run: trainer overhead, PyTorch, sharpness cost, Hessian, studies, memory; --vs-python: against the Python anchors.") { output, quick, only, vsPython, childStudy };
        command.SetAction(parse =>
        {
            if (parse.GetValue(childStudy) is int models)
            {
                Console.WriteLine(BenchmarkSuite.ChildStudy(models));
                return 0;
            }
            var groups = new HashSet<string>(parse.GetValue(only) ?? Array.Empty<string>());
            if (parse.GetValue(vsPython)) groups.Add(BenchmarkSuite.PythonGroup);
            var rows = new BenchmarkSuite(line => Console.WriteLine(line), parse.GetValue(quick)).Run(groups);
            var table = new Table().AddColumns("group", "case", "measured", "ratio", "target", "met");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.Group), Markup.Escape(r.Name), Markup.Escape(r.Measured), r.Ratio.ToString("F3", CultureInfo.InvariantCulture),
                    Markup.Escape(r.Target), r.Met is null ? "" : r.Met.Value ? "yes" : "NO");
            AnsiConsole.Write(table);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new
            {
                date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                cores = Environment.ProcessorCount,
                rows,
            }, new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temp, path, overwrite: true);
            Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}
