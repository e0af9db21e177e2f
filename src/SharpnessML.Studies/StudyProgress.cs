namespace SharpnessML.Studies;

/// <summary>A progress report of a running study.</summary>
/// <param name="Done">Members complete (stored or trained).</param>
/// <param name="Total">Members of this run (this shard's, when sharded).</param>
/// <param name="Message">What just happened, e.g. the member being trained or the one just measured.</param>
/// <param name="Completed">The member just completed, or null when a member is starting.</param>
public sealed record StudyProgress(int Done, int Total, string Message, StudyMember? Completed);
