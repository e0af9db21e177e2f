namespace SharpnessML.Transforms.Evaluation;

/// <summary>A candidate of model selection that could not be measured (<see cref="ModelSelectionResult.Failures"/>).</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Index">The candidate's position in the list given to selection (0-based).</param>
/// <param name="Error">Why: the one-line message of what was refused (its file, its outputs, its weights).</param>
public sealed record FailedCandidate(string Name, int Index, string Error);
