using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests;

/// <summary>A runner reads each stored member once and never reads back a member it computed.</summary>
public sealed class StudyRunnerReadsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-reads-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Counts the members each load returns.</summary>
    private sealed class CountingStore(IStudyStore inner) : IStudyStore
    {
        public List<int> MembersRead { get; } = new();
        public void Open(string studyId, string configurationJson) => inner.Open(studyId, configurationJson);
        public IReadOnlyList<int> CompletedIndices(string studyId) => inner.CompletedIndices(studyId);
        public bool Save(string studyId, StudyMember member) => inner.Save(studyId, member);
        public IReadOnlyList<StudyMember> LoadMembers(string studyId) => Count(inner.LoadMembers(studyId));
        public IReadOnlyList<StudyMember> LoadMembers(string studyId, IReadOnlySet<int> except) => Count(inner.LoadMembers(studyId, except));
        private IReadOnlyList<StudyMember> Count(IReadOnlyList<StudyMember> members)
        {
            MembersRead.AddRange(members.Select(m => m.Index));
            return members;
        }
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void StoredMembersAreReadOnceAndComputedOnesNever()
    {
        var path = Path.Combine(folder, "study.db");
        var definition = TestStudies.SmallAbalone();
        definition.Models = 4;
        // Two members stored by "another process" first.
        using (var first = new SqliteStudyStore(path))
            new StudyRunner(definition).Run(first, new StudyRunSettings { Shard = 1, ShardCount = 2 });

        using var store = new CountingStore(new SqliteStudyStore(path));
        var runner = new StudyRunner(definition);
        Assert.Equal(new[] { 1, 3 }, runner.Open(store).Select(m => m.Index));
        var members = runner.Run(store);
        var again = runner.Run(store);
        Assert.Equal(new[] { 0, 1, 2, 3 }, members.Select(m => m.Index));
        StudyMemberComparison.Equal(members, again);
        // Members 1 and 3 were read once, when the store was opened; 0 and 2, computed here, never.
        Assert.Equal(new[] { 1, 3 }, store.MembersRead);
    }
}
