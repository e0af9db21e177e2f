namespace SharpnessML.Studies;

/// <summary>How one process takes part in running a study.</summary>
public sealed class StudyRunSettings
{
    /// <summary>
    /// This process's shard: it trains only members whose index modulo <see cref="ShardCount"/> equals this. Default 0.
    /// </summary>
    public int Shard { get; set; }

    /// <summary>Number of processes sharing the study through one store. Default 1 (this process trains every member).</summary>
    public int ShardCount { get; set; } = 1;

    /// <summary>When set, each member trained in this run is saved there as a model file <c>model-NNN.zip</c>.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>
    /// How long a claim on a member lasts unless renewed (it is renewed every third of it while the member trains); a
    /// killed worker's members are taken over this long after it died. Default 30 s.
    /// </summary>
    internal TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a run waiting for members another worker trains looks at the store again. Default 1 s.</summary>
    internal TimeSpan ClaimPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        if (ShardCount < 1) throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, "ShardCount must be at least 1.");
        if (Shard < 0 || Shard >= ShardCount) throw new ArgumentOutOfRangeException(nameof(Shard), Shard, $"Shard must be in [0, {ShardCount}).");
    }
}
