namespace SharpnessML.Studies;

/// <summary>
/// Durable storage of a study's completed members, so that a study that was stopped (or killed) resumes where it left
/// off instead of retraining every model, and so that several worker processes can share one study. A study is named
/// by an id and pinned to its configuration: opening an existing id with a different configuration is refused.
/// </summary>
public interface IStudyStore : IDisposable
{
    /// <summary>
    /// Creates the study <paramref name="studyId"/> with <paramref name="configurationJson"/>, or opens it when it
    /// already exists with the same configuration. Must be called before the other methods for that id.
    /// </summary>
    /// <param name="studyId">The study's name, e.g. <c>abalone</c>; not empty.</param>
    /// <param name="configurationJson">
    /// Everything that determines the members' values, as JSON. It is compared by a SHA-256 hash of its exact text,
    /// so produce it deterministically.
    /// </param>
    /// <exception cref="InvalidOperationException">The id exists with a different configuration.</exception>
    void Open(string studyId, string configurationJson);

    /// <summary>The indices of the members already saved for <paramref name="studyId"/>, ascending.</summary>
    /// <param name="studyId">An opened study.</param>
    IReadOnlyList<int> CompletedIndices(string studyId);

    /// <summary>
    /// Saves one completed member with all its measurements atomically: afterwards the member is wholly stored or, if
    /// the process died first, not at all. Saving an index that is already stored leaves the stored member unchanged.
    /// </summary>
    /// <param name="studyId">An opened study.</param>
    /// <param name="member">The member; its <see cref="StudyMember.Index"/> is its key.</param>
    /// <returns>True when the member was stored; false when its index was already there.</returns>
    bool Save(string studyId, StudyMember member);

    /// <summary>Every stored member of <paramref name="studyId"/>, in ascending index order.</summary>
    /// <param name="studyId">An opened study.</param>
    IReadOnlyList<StudyMember> LoadMembers(string studyId);

    /// <summary>The stored members of <paramref name="studyId"/> whose indices are not in <paramref name="except"/>, ascending.</summary>
    /// <param name="studyId">An opened study.</param>
    /// <param name="except">Indices the caller already holds.</param>
    IReadOnlyList<StudyMember> LoadMembers(string studyId, IReadOnlySet<int> except) =>
        LoadMembers(studyId).Where(m => !except.Contains(m.Index)).ToList();
}
