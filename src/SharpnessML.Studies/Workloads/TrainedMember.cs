using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Studies.Workloads;

/// <summary>A trained member, evaluated, with the landscape of its training loss; disposing frees the network.</summary>
internal sealed class TrainedMember : IDisposable
{
    private readonly IDisposable owner;

    public TrainedMember(IDisposable owner, LossLandscape landscape, int epochs, double trainLoss, double testLoss,
        double trainError, double testError, double trainSeconds)
    {
        this.owner = owner;
        Landscape = landscape;
        Epochs = epochs;
        TrainLoss = trainLoss;
        TestLoss = testLoss;
        TrainError = trainError;
        TestError = testError;
        TrainSeconds = trainSeconds;
    }

    public LossLandscape Landscape { get; }

    public int Epochs { get; }

    public double TrainLoss { get; }

    public double TestLoss { get; }

    public double TrainError { get; }

    public double TestError { get; }

    public double TrainSeconds { get; }

    public void Dispose() => owner.Dispose();
}
