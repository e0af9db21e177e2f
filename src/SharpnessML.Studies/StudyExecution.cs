using SharpnessML.Transforms.Evaluation;
using System.Diagnostics;

namespace SharpnessML.Studies;

/// <summary>
/// Runs a whole study: in this process, or sharded over worker processes that share one SQLite store (this process
/// runs shard 0, then loads every stored member and trains whatever a failed worker left). <c>Start</c> checks the
/// data and opens the store (so a missing file or a configuration mismatch fails before anything runs);
/// <see cref="Run"/> trains and analyses. A store this execution created is removed again if the run fails before
/// any member is stored; a temporary store (several workers, no store given) is removed on <see cref="Dispose"/>.
/// </summary>
public sealed class StudyExecution : IDisposable
{
    private readonly StudyRunner runner;
    private readonly StudyExecutionOptions options;
    private readonly SqliteStudyStore? store;
    private readonly string? storePath, temporaryStore;
    private readonly bool storeExisted;
    private readonly Stopwatch clock;
    private readonly int workers;

    private StudyExecution(StudyDefinition definition, StudyPipeline? pipeline, StudyExecutionOptions options)
    {
        Definition = definition;
        this.options = options;
        clock = Stopwatch.StartNew();
        workers = Math.Min(options.Workers, definition.MemberCount);
        if (workers > 1 && options.WorkerCommand is null)
            throw new ArgumentException("Running a study with more than one worker needs a WorkerCommand that starts a worker process.", nameof(options));
        if (workers > 1 && pipeline != null)
            throw new ArgumentException(
                "A study over a pipeline built in this program runs in this process only (a worker process cannot rebuild it); run it with Workers = 1, or describe it in a study file.",
                nameof(options));
        runner = pipeline is null ? new StudyRunner(definition, options.Measures) : new StudyRunner(definition, pipeline, options.Measures);
        if (workers > 1 && definition.Measures.FirstOrDefault(m => !MeasureRegistry.BuiltIn.TryGet(m.Name, out _)) is { } own)
            throw new ArgumentException(
                $"Measure '{own.Name}' is registered in this process only; worker processes know the built-in measures alone. Run the study with Workers = 1.",
                nameof(options));
        storePath = options.StorePath;
        if (workers > 1 && storePath is null)
        {
            temporaryStore = TemporaryFiles.StudyFile(".db");
            storePath = temporaryStore;
        }

        TemporaryFiles.SweepStale(options.ModelDirectory); // what killed runs left
        _ = runner.DataFingerprint; // a missing data file fails here, before any store is created
        storeExisted = storePath != null && File.Exists(storePath);
        try
        {
            store = storePath is null ? null : new SqliteStudyStore(storePath);
            // Open (and pin the configuration) before any worker starts, so a mismatch is one clear error.
            if (store != null) StoredCount = runner.Open(store).Count;
        }
        catch
        {
            store?.Dispose();
            RemoveStoreIfCreatedEmpty();
            DeleteTemporaryStore();
            throw;
        }
    }

    /// <summary>Checks the study's data and opens its store.</summary>
    /// <param name="definition">The study.</param>
    /// <param name="options">Store, workers, model folder; default: in this process, no store.</param>
    public static StudyExecution Start(StudyDefinition definition, StudyExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new StudyExecutionOptions();
        options.Validate();
        return new StudyExecution(definition, null, options);
    }

    /// <summary>Checks the user's data and opens the store of a study over <paramref name="pipeline"/> (in this process only).</summary>
    /// <param name="definition">The study: name, grid, seeds, measures.</param>
    /// <param name="pipeline">The data and the estimator of each member.</param>
    /// <param name="options">Store and model folder; <see cref="StudyExecutionOptions.Workers"/> must be 1.</param>
    public static StudyExecution Start(StudyDefinition definition, StudyPipeline pipeline, StudyExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new StudyExecutionOptions();
        options.Validate();
        return new StudyExecution(definition, pipeline, options);
    }

    /// <summary>The study.</summary>
    public StudyDefinition Definition { get; }

    /// <summary>Members already in the store when it was opened (0 without a store).</summary>
    public int StoredCount { get; }

    /// <summary>The store's full path, or <c>null</c> without a store.</summary>
    public string? StorePath => store?.Path;

    /// <summary>Worker processes that will train members at once (this process included).</summary>
    public int Workers => workers;

    /// <summary>Trains every member not yet stored, takes its measures, and analyses the whole pool.</summary>
    /// <param name="progress">Members complete so far and what just happened; called from this thread.</param>
    /// <param name="workerFailed">One line for each worker process that failed (this process then trains what it left).</param>
    public StudyResult Run(Action<int, string>? progress = null, Action<string>? workerFailed = null)
    {
        progress ??= (_, _) => { };
        try
        {
            IReadOnlyList<StudyMember> members = workers == 1
                ? runner.Run(store, new StudyRunSettings { ModelDirectory = options.ModelDirectory }, p => progress(p.Done, p.Message))
                : RunSharded(progress, workerFailed ?? (_ => { }));
            return StudyResult.Create(Definition, members, clock.Elapsed.TotalSeconds, workers, members.Count - StoredCount);
        }
        catch
        {
            // Nothing half-written: a store this run created and filled with nothing is removed again.
            store?.Dispose();
            RemoveStoreIfCreatedEmpty();
            throw;
        }
    }

    private IReadOnlyList<StudyMember> RunSharded(Action<int, string> progress, Action<string> workerFailed)
    {
        var definitionPath = TemporaryFiles.StudyFile(".json");
        File.WriteAllText(definitionPath, Definition.ToJson());
        try
        {
            using var children = new WorkerProcesses(options.WorkerCommand!, definitionPath, store!.Path, Enumerable.Range(1, workers - 1), workers, options.ModelDirectory);
            int Done() => store.CompletedIndices(Definition.Name).Count;
            runner.Run(store, new StudyRunSettings { Shard = 0, ShardCount = workers, ModelDirectory = options.ModelDirectory },
                p => progress(Done(), $"shard 0 — {p.Message}"));
            while (!children.AllExited)
            {
                progress(Done(), "waiting for the other workers");
                Thread.Sleep(500);
            }

            foreach (var failure in children.Failures()) workerFailed(failure);
            // Loads every stored member and trains any a failed worker left.
            return runner.Run(store, new StudyRunSettings { ModelDirectory = options.ModelDirectory }, p => progress(Done(), p.Message));
        }
        finally
        {
            File.Delete(definitionPath);
            TemporaryFiles.Forget(definitionPath);
        }
    }

    private void RemoveStoreIfCreatedEmpty()
    {
        if (storePath is null || storeExisted || temporaryStore != null) return;
        if (File.Exists(storePath) && SqliteStudyStore.IsEmpty(storePath)) SqliteStudyStore.Delete(storePath);
    }

    /// <summary>Closes the store; removes a temporary one.</summary>
    public void Dispose()
    {
        store?.Dispose();
        DeleteTemporaryStore();
    }

    private void DeleteTemporaryStore()
    {
        if (temporaryStore is null) return;
        SqliteStudyStore.Delete(temporaryStore);
        TemporaryFiles.Forget(temporaryStore);
    }
}
