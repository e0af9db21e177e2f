using System.Globalization;

namespace SharpnessML.Studies;

/// <summary>The training configuration of one study member: its grid point and seed.</summary>
/// <param name="Index">Position in the study (grid order, last axis fastest).</param>
/// <param name="Seed">Initialisation, batch-order and measure seed.</param>
/// <param name="Hyperparameters">Axis name → value, in grid order.</param>
public sealed record MemberConfiguration(int Index, int Seed, IReadOnlyDictionary<string, string> Hyperparameters)
{
    /// <summary>The value of <paramref name="axis"/> as a double, or <paramref name="fallback"/> when not on the grid.</summary>
    public double Double(string axis, double fallback) =>
        Hyperparameters.TryGetValue(axis, out var v) ? double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The value of <paramref name="axis"/> as an integer, or <paramref name="fallback"/> when not on the grid.</summary>
    public int Int(string axis, int fallback) =>
        Hyperparameters.TryGetValue(axis, out var v) ? int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The value of <paramref name="axis"/>, or null when not on the grid.</summary>
    public string? Text(string axis) => Hyperparameters.TryGetValue(axis, out var v) ? v : null;

    /// <summary>e.g. <c>learningRate=0.01, batchSize=64, seed 3</c>.</summary>
    public string Describe() =>
        string.Join(", ", Hyperparameters.Where(h => h.Key != HyperparameterAxes.Replicate).Select(h => $"{h.Key}={h.Value}")) + $", seed {Seed}";
}
