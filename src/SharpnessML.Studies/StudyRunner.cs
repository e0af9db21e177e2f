using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Studies.Workloads;
using TorchSharp;

namespace SharpnessML.Studies;

/// <summary>
/// Runs a <see cref="StudyDefinition"/>: trains each member, evaluates its train/test loss and error, takes every
/// measure, and saves the member to the store as soon as it is complete, so a study killed at any moment resumes
/// where it stopped. Several processes can share one store, each running one shard of the members.
/// </summary>
public sealed class StudyRunner
{
    private static readonly JsonSerializerOptions DetailsJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Creates a runner for <paramref name="definition"/> (validated here).</summary>
    /// <param name="definition">The study.</param>
    /// <param name="measures">
    /// Where the study's measures are looked up by name: default <see cref="MeasureRegistry.BuiltIn"/>; pass
    /// <c>ml.Sharpness().Measures</c> to take measures of your own.
    /// </param>
    public StudyRunner(StudyDefinition definition, MeasureRegistry? measures = null)
    {
        Definition = definition ?? throw new ArgumentNullException(nameof(definition));
        Measures = measures ?? MeasureRegistry.BuiltIn;
        definition.Validate(Measures);
    }

    /// <summary>
    /// Creates a runner of <paramref name="definition"/>'s grid and measures over the user's own data and pipeline
    /// (<paramref name="pipeline"/>); the definition's data set and model settings are not used.
    /// </summary>
    /// <param name="definition">The study: name, grid, seeds, measures.</param>
    /// <param name="pipeline">The data and the estimator of each member.</param>
    /// <param name="measures">Where the study's measures are looked up by name; default <see cref="MeasureRegistry.BuiltIn"/>.</param>
    public StudyRunner(StudyDefinition definition, StudyPipeline pipeline, MeasureRegistry? measures = null)
        : this(definition, measures)
    {
        Pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
    }

    /// <summary>The user's data and pipeline, when the study trains them rather than its definition's data set.</summary>
    public StudyPipeline? Pipeline { get; }

    /// <summary>Where the study's measures are looked up by name.</summary>
    public MeasureRegistry Measures { get; }

    /// <summary>The study.</summary>
    public StudyDefinition Definition { get; }

    private string? fingerprint;

    /// <summary>
    /// The SHA-256 of the study's data files, which pins the data in a store's configuration. Reading it checks that
    /// the files exist (a clear error naming the missing file otherwise), without loading them.
    /// </summary>
    public string DataFingerprint => fingerprint ??= Pipeline?.DataFingerprint ?? StudyWorkloads.Fingerprint(Definition);

    /// <summary>
    /// Trains and measures the members that are not in <paramref name="store"/> yet (only this process's shard) and
    /// returns every member complete so far, in index order. Without a store every member is trained.
    /// </summary>
    /// <param name="store">Where members are loaded from and saved to; opened under the study's name.</param>
    /// <param name="settings">Shard and model-file settings; defaults when null.</param>
    /// <param name="onProgress">Called when a member starts and when it is complete (stored members first).</param>
    /// <param name="cancellationToken">Stops between members.</param>
    /// <exception cref="InvalidOperationException">The store holds this study with a different configuration.</exception>
    public IReadOnlyList<StudyMember> Run(IStudyStore? store = null, StudyRunSettings? settings = null,
        Action<StudyProgress>? onProgress = null, CancellationToken cancellationToken = default)
    {
        settings ??= new StudyRunSettings();
        settings.Validate();
        int count = Definition.MemberCount;
        var members = new StudyMember?[count];
        var mine = Enumerable.Range(0, count).Where(i => i % settings.ShardCount == settings.Shard).ToList();
        int done = 0;
        if (store != null)
        {
            foreach (var stored in Open(store))
            {
                members[stored.Index] = stored;
                var origin = computedHere.Contains(stored.Index) ? "complete" : "loaded from the store";
                if (mine.Contains(stored.Index)) onProgress?.Invoke(new StudyProgress(++done, mine.Count, $"member {stored.Index} {origin}", stored));
            }
        }

        if (mine.All(i => members[i] != null)) return members.Where(m => m != null).Select(m => m!).ToList();
        using var workload = Pipeline is { } pipeline ? new PipelineWorkload(pipeline) : StudyWorkloads.Create(Definition);
        var claims = store as IMemberClaims;
        var lease = settings.ClaimLease;

        SharpnessML.Trainers.TorchRuntime.EnsureInitialized(); // the first torch call may be this one (a study file names no trainer type)
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(Math.Min(Definition.Threads, Environment.ProcessorCount)); // more threads than cores only thrash
        try
        {
            // Members another live worker is training: a shard leaves them to it; a run over the whole study waits for
            // them (or for their lease to expire, then trains them itself).
            var held = new SortedDictionary<int, string>();
            foreach (var index in mine)
            {
                if (members[index] != null) continue;
                cancellationToken.ThrowIfCancellationRequested();
                if (claims != null)
                {
                    var claim = claims.TryClaim(Definition.Name, index, worker, lease, out var holder);
                    if (claim == MemberClaim.Stored) continue;
                    if (claim == MemberClaim.Held)
                    {
                        held[index] = holder!;
                        continue;
                    }
                }
                // Another process may have completed it meanwhile (e.g. a restarted worker of another shard).
                else if (store != null && store.CompletedIndices(Definition.Name).Contains(index)) continue;

                members[index] = TrainClaimed(workload, store, claims, index, settings, onProgress, ref done, mine.Count);
            }

            while (held.Count > 0 && settings.ShardCount == 1)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (first, holder) = held.First();
                onProgress?.Invoke(new StudyProgress(done, mine.Count, $"waiting for member {first}, which {holder} is training", null));
                Thread.Sleep(settings.ClaimPollInterval);
                foreach (var index in held.Keys.ToList())
                {
                    var claim = claims!.TryClaim(Definition.Name, index, worker, lease, out var current);
                    if (claim == MemberClaim.Held)
                    {
                        held[index] = current!;
                        continue;
                    }

                    held.Remove(index);
                    if (claim == MemberClaim.Claimed) members[index] = TrainClaimed(workload, store, claims, index, settings, onProgress, ref done, mine.Count);
                }
            }
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }

        if (store != null && members.Any(m => m is null))
        {
            // Only what other processes completed meanwhile: members this runner knows are not read back.
            foreach (var stored in store.LoadMembers(Definition.Name, except: known.Keys.ToHashSet()).Where(m => m.Index < count && IsComplete(m)))
            {
                members[stored.Index] ??= stored;
                known[stored.Index] = stored;
            }
        }

        return members.Where(m => m != null).Select(m => m!).ToList();
    }

    /// <summary>
    /// Opens the study in <paramref name="store"/> (creating it, or checking that the stored configuration and data
    /// are the same) and returns the members stored so far, without training anything.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store holds this study with a different configuration.</exception>
    /// <remarks>
    /// The runner remembers the store it opened: opening it again, and <see cref="Run"/> on it, use the members read the
    /// first time and those completed since, and read back from the store only members other processes saved.
    /// </remarks>
    public IReadOnlyList<StudyMember> Open(IStudyStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!ReferenceEquals(store, openedStore))
        {
            store.Open(Definition.Name, Definition.ConfigurationJson(DataFingerprint));
            known.Clear();
            computedHere.Clear();
            foreach (var member in store.LoadMembers(Definition.Name).Where(m => m.Index < Definition.MemberCount))
            {
                if (IsComplete(member)) known[member.Index] = member;
                // Rows missing (deleted by hand, a foreign tool): the member is unfinished and is trained again.
                else if (store is IMemberClaims repairable) repairable.RemoveMember(Definition.Name, member.Index);
            }

            openedStore = store;
        }

        return known.Values.ToList();
    }

    /// <summary>Whether <paramref name="member"/> holds every measure of the study, in order (its stored rows are whole).</summary>
    private bool IsComplete(StudyMember member) =>
        member.Measurements.Select(m => m.Measure).SequenceEqual(Definition.Measures.Select(m => m.Name), StringComparer.Ordinal);

    /// <summary>Trains member <paramref name="index"/>, which this runner has claimed, renewing the claim meanwhile, and stores it.</summary>
    private StudyMember TrainClaimed(IStudyWorkload workload, IStudyStore? store, IMemberClaims? claims, int index, StudyRunSettings settings,
        Action<StudyProgress>? onProgress, ref int done, int total)
    {
        var configuration = Definition.Member(index);
        onProgress?.Invoke(new StudyProgress(done, total, $"training member {index}: {configuration.Describe()}", null));
        var modelPath = settings.ModelDirectory is { } dir ? Path.Combine(dir, $"model-{index:D3}.zip") : null;
        // The model is written under a temporary name and takes its own only once the member is stored, so a model
        // file always belongs to a stored member.
        var pendingModel = modelPath is null ? null : TemporaryFiles.PendingName(modelPath);
        bool stored = false;
        try
        {
            StudyMember member;
            using (claims is null ? null : new LeaseRenewal(claims, Definition.Name, index, worker, settings.ClaimLease))
                member = RunMember(workload, configuration, pendingModel);
            store?.Save(Definition.Name, member);
            stored = true;
            if (pendingModel != null && File.Exists(pendingModel)) File.Move(pendingModel, modelPath!, overwrite: true);
            if (store != null)
            {
                known[index] = member;
                computedHere.Add(index);
            }

            onProgress?.Invoke(new StudyProgress(++done, total, Describe(member), member));
            return member;
        }
        finally
        {
            if (pendingModel != null && File.Exists(pendingModel)) File.Delete(pendingModel);
            if (!stored && claims != null)
            {
                try
                {
                    claims.Release(Definition.Name, index, worker);
                }
                catch (IOException)
                {
                    // The lease expires by itself; the original failure is the one to report.
                }
            }
        }
    }

    /// <summary>This runner's name in claims: machine, process and a per-runner suffix.</summary>
    private readonly string worker = $"{Environment.MachineName}/pid {Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Releases every claim this runner still holds (a worker that is told to stop).</summary>
    internal void ReleaseClaims()
    {
        if (openedStore is IMemberClaims claims) claims.ReleaseAll(worker);
    }

    private IStudyStore? openedStore;
    private readonly SortedDictionary<int, StudyMember> known = new();
    private readonly HashSet<int> computedHere = new();

    private StudyMember RunMember(IStudyWorkload workload, MemberConfiguration configuration, string? modelPath)
    {
        using var trained = workload.Train(configuration, modelPath);
        var measurements = new List<StudyMeasurement>(Definition.Measures.Count);
        foreach (var spec in Definition.Measures)
        {
            using var scope = torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var landscape = spec.Examples is { } n ? trained.Landscape.Subset(n, configuration.Seed + spec.Seed) : trained.Landscape;
            var result = Measures.Measure(spec.Name, landscape, spec.SettingsFor(configuration.Seed));
            measurements.Add(new StudyMeasurement(spec.Name, result.Value, result.StandardError, clock.Elapsed.TotalSeconds,
                JsonSerializer.Serialize(result.Metrics.Details().ToDictionary(d => d.Key, d => d.Value), DetailsJson)));
        }

        return new StudyMember(configuration.Index, configuration.Seed, configuration.Hyperparameters, trained.Epochs,
            trained.TrainLoss, trained.TestLoss, trained.TrainError, trained.TestError, measurements, trained.TrainSeconds);
    }

    private string Describe(StudyMember m) =>
        $"member {m.Index}: test loss {m.TestLoss:F3}" + (double.IsFinite(m.TestError) ? $", test error {m.TestError:P1}" : "") +
        $", {Definition.Measures[0].Name} {m.Measurements[0].Value:G3}";
}
