using BenchmarkDotNet.Running;

namespace SharpnessML.Benchmarks;

/// <summary>
/// BenchmarkDotNet mirrors of a few rows of <c>sharpnessml bench</c>:
/// <c>dotnet run -c Release --project benchmarks/SharpnessML.Benchmarks -- --filter '*'</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks BenchmarkDotNet's switcher selects from the arguments.</summary>
    public static void Main(string[] args)
    {
        SharpnessML.Trainers.TorchRuntime.RetainFreedNativeMemory(); // as the sharpnessml command does
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, InProcessConfig.Create());
    }
}
