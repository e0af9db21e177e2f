using SharpnessML.Trainers.Data;
using TorchSharp;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// Holds out a seeded random fraction of the training rows as a validation set (scikit-learn's
/// <c>validation_fraction</c>): round(fraction · n) rows, at least one, leaving at least one to train on.
/// </summary>
public static class ValidationSplit
{
    /// <summary>
    /// Splits <paramref name="data"/> into training and validation rows. With <paramref name="fraction"/> 0 the data
    /// is returned as it is and the validation set is <c>null</c>; otherwise both parts are new tensors on the data's
    /// device, owned by the caller.
    /// </summary>
    /// <param name="data">All training rows.</param>
    /// <param name="fraction">Fraction held out, in [0, 1).</param>
    /// <param name="generator">The seeded generator of the permutation.</param>
    public static (SupervisedTensors Train, SupervisedTensors? Validation) Split(SupervisedTensors data, double fraction, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "ValidationFraction must be in [0, 1) (0 = no validation set).");
        if (fraction == 0) return (data, null);
        int n = data.Count;
        int held = Math.Max(1, (int)Math.Round(n * fraction, MidpointRounding.AwayFromZero));
        if (n - held < 1)
            throw new ArgumentException(
                $"ValidationFraction {fraction} holds out {held} of {n} rows and leaves none to train on; use more rows or set ValidationFraction to 0.",
                "ValidationFraction");
        using var scope = torch.NewDisposeScope();
        var order = torch.randperm(n, generator: generator, device: data.Features.device);
        var validationIndex = order.narrow(0, 0, held);
        var trainIndex = order.narrow(0, held, n - held);
        var train = new SupervisedTensors(data.Features.index_select(0, trainIndex), data.Labels.index_select(0, trainIndex));
        var validation = new SupervisedTensors(data.Features.index_select(0, validationIndex), data.Labels.index_select(0, validationIndex));
        train.Features.MoveToOuterDisposeScope();
        train.Labels.MoveToOuterDisposeScope();
        validation.Features.MoveToOuterDisposeScope();
        validation.Labels.MoveToOuterDisposeScope();
        return (train, validation);
    }
}
