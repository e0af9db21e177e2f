using System.Globalization;

namespace SharpnessML.Studies;

/// <summary>
/// The training configuration of one study member: its grid point and seed. The values are kept as the study writes
/// them (<see cref="Hyperparameters"/>: canonical invariant text, which the store and the report record) and parsed
/// once, here, into numbers for the trainers (<see cref="Double"/>, <see cref="Int"/>).
/// </summary>
/// <param name="Index">Position in the study (grid order, last axis fastest).</param>
/// <param name="Seed">Initialisation, batch-order and measure seed.</param>
/// <param name="Hyperparameters">Axis name → value, in grid order.</param>
public sealed record MemberConfiguration(int Index, int Seed, IReadOnlyDictionary<string, string> Hyperparameters)
{
    private readonly IReadOnlyDictionary<string, double> numbers = Numbers(Hyperparameters);

    /// <summary>The value of <paramref name="axis"/> as a double, or <paramref name="fallback"/> when not on the grid.</summary>
    /// <exception cref="FormatException">The axis holds text (e.g. an optimizer name), not a number.</exception>
    public double Double(string axis, double fallback) =>
        numbers.TryGetValue(axis, out var v) ? v
        : Hyperparameters.ContainsKey(axis) ? throw new FormatException($"Grid axis '{axis}' holds '{Hyperparameters[axis]}', not a number.") : fallback;

    /// <summary>The value of <paramref name="axis"/> as an integer, or <paramref name="fallback"/> when not on the grid.</summary>
    /// <exception cref="FormatException">The axis holds no whole number in the range of <see cref="int"/>.</exception>
    public int Int(string axis, int fallback)
    {
        if (!Hyperparameters.ContainsKey(axis)) return fallback;
        double v = Double(axis, 0);
        return v == Math.Floor(v) && v >= int.MinValue && v <= int.MaxValue
            ? (int)v
            : throw new FormatException($"Grid axis '{axis}' holds '{Hyperparameters[axis]}', not a whole number.");
    }

    /// <summary>The value of <paramref name="axis"/>, or null when not on the grid.</summary>
    public string? Text(string axis) => Hyperparameters.TryGetValue(axis, out var v) ? v : null;

    /// <summary>e.g. <c>learningRate=0.01, batchSize=64, seed 3</c>.</summary>
    public string Describe() =>
        string.Join(", ", Hyperparameters.Where(h => h.Key != HyperparameterAxes.Replicate).Select(h => $"{h.Key}={h.Value}")) + $", seed {Seed}";

    private static IReadOnlyDictionary<string, double> Numbers(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (axis, text) in values)
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) numbers[axis] = v;
        return numbers;
    }
}
