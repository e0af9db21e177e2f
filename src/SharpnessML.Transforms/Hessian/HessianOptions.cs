using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// Which data the Hessian is measured on, how much memory its products may keep, and the seed of every random choice.
/// Each measure's options class derives from this one, so one object configures a measure completely.
/// </summary>
public class HessianOptions
{
    /// <summary>Default <see cref="MemoryBudgetBytes"/>: 1 GiB.</summary>
    public const long DefaultMemoryBudgetBytes = 1L << 30;

    /// <summary>
    /// Size of the one random batch the Hessian is measured on (drawn once per measure with
    /// <see cref="Seed"/>, PyHessian's single-batch mode); null (the default) measures the Hessian
    /// of the mean loss over all examples, accumulated over chunks (PyHessian's data-loader mode).
    /// </summary>
    public int? BatchSize { get; set; }

    /// <summary>
    /// Examples per chunk when a whole-set product is accumulated; bounds the memory of one double
    /// backward pass. Default <see cref="HessianOperator.DefaultChunkSize"/>.
    /// </summary>
    public int ChunkSize { get; set; } = HessianOperator.DefaultChunkSize;

    /// <summary>
    /// Bytes the operator may keep in retained gradient graphs between products. When the data is several chunks and
    /// the graphs of all of them fit (estimated from the first chunk, see <see cref="HessianOperator"/>), each chunk's
    /// graph is built once and every product is one backward pass per chunk (about half the time); otherwise each
    /// product recomputes each chunk's gradient graph and frees it (memory ∝ one chunk). Default
    /// <see cref="DefaultMemoryBudgetBytes"/> (1 GiB).
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = DefaultMemoryBudgetBytes;

    /// <summary>Seed for the batch and for every random vector the algorithm draws. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws when a setting is out of range.</summary>
    public virtual void Validate()
    {
        if (BatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1 (or null for all examples).");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be at least 1.");
        if (MemoryBudgetBytes < 0) throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes, "MemoryBudgetBytes must be ≥ 0.");
    }

    /// <summary>
    /// Takes the shared settings that apply to Hessian measures: the seed, the chunk size and the memory budget here,
    /// and in derived options the ones they have (tolerance, start vectors, eigenvalues); settings that are null keep
    /// the defaults. The one place a measure chosen by name gets its options from <see cref="MeasureSettings"/>.
    /// </summary>
    protected internal virtual void Apply(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Seed = settings.Seed;
        if (settings.ChunkSize is { } chunk) ChunkSize = chunk;
        if (settings.MemoryBudgetBytes is { } budget) MemoryBudgetBytes = budget;
    }
}
