namespace SharpnessML.Studies;

/// <summary>
/// Renews a worker's claim on one member every third of its lease while the member trains (a timer thread; the store
/// serialises its calls), so a live worker's claim never expires and a dead worker's does.
/// </summary>
internal sealed class LeaseRenewal : IDisposable
{
    private readonly Timer timer;

    public LeaseRenewal(IMemberClaims claims, string studyId, int memberIndex, string worker, TimeSpan lease)
    {
        var period = TimeSpan.FromTicks(Math.Max(lease.Ticks / 3, TimeSpan.TicksPerMillisecond * 100));
        timer = new Timer(_ =>
        {
            try
            {
                claims.Renew(studyId, memberIndex, worker, lease);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // A renewal that fails (store busy, disk full) is retried at the next tick; saving will report a real fault.
            }
        }, null, period, period);
    }

    public void Dispose()
    {
        using var done = new ManualResetEvent(false);
        if (timer.Dispose(done)) done.WaitOne();
    }
}
