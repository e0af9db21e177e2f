namespace SharpnessML.Studies;

/// <summary>
/// One hyperparameter axis of a study grid: its name (one of <see cref="HyperparameterAxes.Known"/>) and the values
/// the members take, written as invariant-culture text (numbers round-trip exactly; optimizer names in lower case).
/// </summary>
/// <param name="Name">The hyperparameter, e.g. <c>learningRate</c>.</param>
/// <param name="Values">Its values, at least one.</param>
public sealed record StudyAxis(string Name, IReadOnlyList<string> Values);
