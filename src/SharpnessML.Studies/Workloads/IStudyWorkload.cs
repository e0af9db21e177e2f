namespace SharpnessML.Studies.Workloads;

/// <summary>
/// A study's data set and model family: loads the data once, then trains and evaluates one member at a time. Each
/// member's loss landscape covers its training examples, which is what the study's measures are taken on.
/// </summary>
internal interface IStudyWorkload : IDisposable
{
    /// <summary>Trains member <paramref name="member"/>; saves its model file to <paramref name="modelPath"/> when set.</summary>
    TrainedMember Train(MemberConfiguration member, string? modelPath);
}
