using System.Globalization;
using System.Text;
using SharpnessML.Studies;
using SharpnessML.Studies.Workloads.Notebook;

namespace SharpnessML.Cli.Reports;

/// <summary>
/// The report folder of a notebook-protocol run (<c>reproduce DATASET --protocol notebook</c> or <c>--ablation</c>):
/// <c>summary.md</c> (τ per row and pool, mean and spread over pools, the paper's τ), <c>members.csv</c> (every
/// model of every row and pool) and <c>scatter.png</c> (test loss against sharpness, the first row's first pool).
/// </summary>
internal static class NotebookReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(string folder, NotebookSettings settings, IReadOnlyList<NotebookRow> rows, double seconds, string command)
    {
        File.WriteAllText(Path.Combine(folder, "members.csv"), MembersCsv(rows));
        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary(settings, rows, seconds, command));
        var first = rows[0].Pools[0];
        ScatterPlot.Save(Path.Combine(folder, "scatter.png"), first.Members.Select(m => m.Sharpness).ToList(), first.Members.Select(m => m.TestLoss).ToList(),
            $"{StudyDatasetNames.NameOf(settings.Dataset)}, {rows[0].Variant.Name}: τ = {first.Kendall.Coefficient:F3}", "sharpness (notebook protocol)", "test loss");
    }

    public static string MembersCsv(IReadOnlyList<NotebookRow> rows)
    {
        var csv = new StringBuilder("row,pool,index,seed,configuration,epochs,train_loss,test_loss,test_error,sharpness,seconds\n");
        foreach (var row in rows)
        foreach (var pool in row.Pools)
        foreach (var m in pool.Members)
            csv.Append(Invariant, $"{row.Variant.Name},{pool.Pool},{m.Index},{m.Seed},\"{m.Configuration}\",{m.Epochs},{R(m.TrainLoss)},{R(m.TestLoss)},{R(m.TestError)},{R(m.Sharpness)},{m.Seconds:F2}\n");
        return csv.ToString();
    }

    public static string Summary(NotebookSettings settings, IReadOnlyList<NotebookRow> rows, double seconds, string command)
    {
        var paper = SeedPaperStudies.PaperTau[settings.Dataset];
        var s = new StringBuilder();
        s.Append(Invariant, $"# {StudyDatasetNames.NameOf(settings.Dataset)}: the seed paper's notebook protocol\n\n");
        s.Append(Invariant, $"`{command}` — {settings.Models} models per pool, {settings.Pools} pool(s) (pool p: seeds {settings.BaseSeed} + 1000 p + i), ");
        s.Append(Invariant, $"{seconds:F0} s in all. Kendall τ-b between the notebook's sharpness and test loss; the seed paper's τ = {paper:F3}.\n\n");
        s.Append("| row | what it changes | τ per pool | mean τ ± sd over pools | p (pool 0) | 95% bootstrap CI (pool 0) |\n| --- | --- | --- | --- | --- | --- |\n");
        foreach (var row in rows)
        {
            var p0 = row.Pools[0];
            var perPool = string.Join(", ", row.Pools.Select(p => p.Kendall.Coefficient.ToString("F3", Invariant)));
            var spread = row.Pools.Count > 1 ? $"{row.MeanTau:F3} ± {row.TauSpread:F3}" : "—";
            s.Append(Invariant, $"| {row.Variant.Name} | {row.Variant.Change} | {perPool} | {spread} | {StudyReport.FormatP(p0.Kendall.PValue)} | [{p0.Interval.Lower:F3}, {p0.Interval.Upper:F3}] |\n");
        }

        s.Append("\n## Per pool\n\n| row | pool | seeds | τ | p | mean test loss | mean sharpness | mean epochs | seconds |\n| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var row in rows)
        foreach (var pool in row.Pools)
            s.Append(Invariant, $"| {row.Variant.Name} | {pool.Pool} | {pool.BaseSeed}–{pool.BaseSeed + pool.Members.Count - 1} | {pool.Kendall.Coefficient:F3} | {StudyReport.FormatP(pool.Kendall.PValue)} | " +
                                $"{pool.Members.Average(m => m.TestLoss):G4} | {pool.Members.Average(m => m.Sharpness):G4} | {pool.Members.Average(m => m.Epochs):F1} | {pool.Seconds:F0} |\n");
        s.Append("\nEvery model's numbers are in `members.csv`; each is a function of its seed alone, so `--models N` reproduces the first N rows of a pool.\n");
        return s.ToString();
    }

    private static string R(double x) => double.IsNaN(x) ? "" : x.ToString("R", Invariant);
}
