using SharpnessML.Studies;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Studies.Tests;

/// <summary>A study takes a measure the program registered, in this process; worker processes are refused it.</summary>
public sealed class StudyUserMeasureTests
{
    /// <summary>Σ w² over every measured parameter, recording each value it returns.</summary>
    private sealed class RecordingNormMeasure : ISharpnessMeasure
    {
        public List<double> Returned { get; } = new();

        public string Name => "squared-weight-norm";

        public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
        {
            using var _ = torch.no_grad();
            double value = landscape.Parameters.Sum(p => p.detach().to(torch.float64).square().sum().item<double>());
            Returned.Add(value);
            return new MeasureResult(Name, value, null, new LossMetrics(SharpnessML.Trainers.Training.LossFunction.MeanSquaredError, landscape.ExampleCount));
        }
    }

    private static StudyDefinition Definition()
    {
        var definition = TestStudies.SmallAbalone();
        definition.Models = 3;
        definition.Measures.Add(new StudyMeasureSpec { Name = "squared-weight-norm" });
        return definition;
    }

    [Fact]
    public void AStudyTakesAMeasureRegisteredByTheProgram()
    {
        var measure = new RecordingNormMeasure();
        var registry = new MeasureRegistry();
        registry.Register(measure);
        using var execution = StudyExecution.Start(Definition(), new StudyExecutionOptions { Measures = registry });
        var result = execution.Run();
        var stored = result.Members.Select(m => m.Measurements.Single(x => x.Measure == "squared-weight-norm").Value).ToList();
        Assert.Equal(measure.Returned, stored);
        Assert.All(stored, v => Assert.True(v > 0 && double.IsFinite(v)));
        Assert.Equal(3, stored.Distinct().Count()); // three members, three networks
    }

    [Fact]
    public void AnUnregisteredMeasureIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => new StudyRunner(Definition()));
        Assert.Contains("squared-weight-norm", error.Message);
    }

    [Fact]
    public void WorkerProcessesAreRefusedAMeasureOfThisProcess()
    {
        var registry = new MeasureRegistry();
        registry.Register(new RecordingNormMeasure());
        var error = Assert.Throws<ArgumentException>(() => StudyExecution.Start(Definition(), new StudyExecutionOptions
        {
            Measures = registry, Workers = 2, WorkerCommand = new StudyWorkerCommand("dotnet", Array.Empty<string>()),
        }));
        Assert.Contains("squared-weight-norm", error.Message);
        Assert.Contains("Workers = 1", error.Message);
    }
}
