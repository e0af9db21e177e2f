namespace SharpnessML.Studies;

/// <summary>
/// Claims on a study's members, so that processes sharing one store (workers of one run, two runs started on the same
/// store, later machines sharing a file) never train the same member. A claim names its worker and holds a lease that
/// the worker renews while it trains; a claim whose lease has expired (its worker died) is taken over by the next
/// worker that asks. Saving a member releases its claim.
/// </summary>
internal interface IMemberClaims
{
    /// <summary>
    /// Claims member <paramref name="memberIndex"/> for <paramref name="worker"/> until now + <paramref name="lease"/>,
    /// unless it is stored already or another worker's lease on it has not expired.
    /// </summary>
    /// <param name="studyId">An opened study.</param>
    /// <param name="memberIndex">The member.</param>
    /// <param name="worker">The claimant's id (machine, process, runner).</param>
    /// <param name="lease">How long the claim lasts unless renewed.</param>
    /// <param name="holder">The worker whose live claim prevented this one, when the result is <see cref="MemberClaim.Held"/>.</param>
    MemberClaim TryClaim(string studyId, int memberIndex, string worker, TimeSpan lease, out string? holder);

    /// <summary>Extends <paramref name="worker"/>'s claim on the member to now + <paramref name="lease"/>.</summary>
    void Renew(string studyId, int memberIndex, string worker, TimeSpan lease);

    /// <summary>Gives up <paramref name="worker"/>'s claim on the member (it was not stored).</summary>
    void Release(string studyId, int memberIndex, string worker);

    /// <summary>Gives up every claim <paramref name="worker"/> holds (a worker that stops).</summary>
    void ReleaseAll(string worker);

    /// <summary>
    /// Removes a stored member whose measurements are incomplete (e.g. rows deleted by hand), so that it counts as
    /// unfinished and is trained again.
    /// </summary>
    void RemoveMember(string studyId, int memberIndex);
}

/// <summary>The outcome of <see cref="IMemberClaims.TryClaim"/>.</summary>
internal enum MemberClaim
{
    /// <summary>The caller holds the claim and trains the member.</summary>
    Claimed,

    /// <summary>The member is stored already.</summary>
    Stored,

    /// <summary>Another worker's lease on the member has not expired.</summary>
    Held,
}
