using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace SharpnessML.Trainers.ModelFiles;

/// <summary>
/// The library's model file: one zip holding the ML.NET transformers before the network (saved
/// with <c>mlContext.Model.Save</c>, so any ML.NET preprocessing comes along), a JSON manifest with
/// the network's architecture and columns, the network's weights (TorchSharp's format; for a graph
/// network they include its edge index and training nodes, for a TorchScript network the entry is
/// the TorchScript archive itself) and any ML.NET transformers after it. It loads back as an ordinary <see cref="ITransformer"/>.
/// </summary>
public static class SharpnessModelFile
{
    /// <summary>The manifest's <c>format</c> value.</summary>
    public const string FormatName = "sharpnessml-model";

    /// <summary>The version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string ManifestEntry = "sharpnessml.json";
    private const string UpstreamEntry = "upstream.mlnet.zip";
    private const string WeightsEntry = "network.weights";
    private const string DownstreamEntry = "downstream.mlnet.zip";
    private const string TorchScriptEntry = "network.pt";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Saves <paramref name="model"/> (a <see cref="TorchNetworkTransformer"/>, or a chain that holds
    /// exactly one) to <paramref name="path"/>. Writes a temporary file beside it and moves it into
    /// place, so a failure never leaves a half-written model.
    /// </summary>
    /// <param name="mlContext">The ML.NET context used to save the surrounding transformers.</param>
    /// <param name="model">The model.</param>
    /// <param name="inputSchema">The schema of the data the model is applied to.</param>
    /// <param name="path">Destination file.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var (upstream, network, downstream) = Split(model);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]; // the pid: a later run removes what a killed one left
        try
        {
            using (var file = File.Create(temp))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                var networkSchema = upstream.GetOutputSchema(inputSchema);
                var manifest = new ModelManifest
                {
                    Network = network.Spec,
                    Task = network.Task,
                    Loss = network.Loss,
                    FeatureColumnName = network.FeatureColumnName,
                    LabelColumnName = network.LabelColumnName,
                    ScoreColumnName = network.ScoreColumnName,
                    PredictedLabelColumnName = network.PredictedLabelColumnName,
                    HasDownstream = downstream.Count > 0,
                    EpochLosses = network.Training?.EpochLosses,
                };
                using (var s = zip.CreateEntry(ManifestEntry).Open())
                    JsonSerializer.Serialize(s, manifest, Json);
                using (var s = zip.CreateEntry(UpstreamEntry).Open())
                    mlContext.Model.Save(upstream, inputSchema, s);
                if (network.Network is TorchScript.TorchScriptNetwork script)
                    WriteTorchScript(zip, script, temp);
                else
                {
                    using var s = zip.CreateEntry(WeightsEntry).Open();
                    using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                    network.Network.save(writer);
                }
                if (downstream.Count > 0)
                {
                    using var s = zip.CreateEntry(DownstreamEntry).Open();
                    mlContext.Model.Save(new TransformerChain<ITransformer>(downstream.ToArray()), network.GetOutputSchema(networkSchema), s);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Loads a model file written by <see cref="Save"/>. Refuses a missing, corrupt or foreign file
    /// with an <see cref="InvalidDataException"/> that names the file and the problem.
    /// </summary>
    /// <param name="mlContext">The ML.NET context to load the surrounding transformers into.</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema of the data the model expects.</param>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        Data.InputFile.Check(path, "Model file", Data.InputFile.MaxModelBytes);
        try
        {
            using var zip = OpenZip(path);
            var manifest = ReadManifest(zip, path);
            var upstream = mlContext.Model.Load(OpenEntry(zip, UpstreamEntry, path), out inputSchema);
            var network = manifest.Network is TorchScript.TorchScriptSpec
                ? ReadTorchScript(zip, path)
                : ReadWeights(zip, path, manifest.Network);
            var training = manifest.EpochLosses is null ? null
                : new Training.TrainingSummary(manifest.EpochLosses.Count, 0, manifest.EpochLosses, TimeSpan.Zero);
            var transformer = new TorchNetworkTransformer(mlContext, manifest.Network, network, manifest.Task, manifest.Loss,
                manifest.FeatureColumnName, manifest.LabelColumnName, training, manifest.ScoreColumnName, manifest.PredictedLabelColumnName);
            var parts = new List<ITransformer>();
            if (upstream is TransformerChain<ITransformer> chain) parts.AddRange(chain);
            else parts.Add(upstream);
            parts.Add(transformer);
            if (manifest.HasDownstream)
            {
                var downstream = mlContext.Model.Load(OpenEntry(zip, DownstreamEntry, path), out _);
                if (downstream is TransformerChain<ITransformer> d) parts.AddRange(d);
                else parts.Add(downstream);
            }
            return new TransformerChain<ITransformer>(parts.ToArray());
        }
        catch (InvalidDataException e) when (e.Message.StartsWith($"Model file '{path}'", StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (IsReadError(Innermost(e)))
        {
            // ML.NET builds each transformer by reflection, so a damaged nested entry arrives wrapped in TargetInvocationExceptions.
            var cause = Innermost(e);
            throw new InvalidDataException($"Model file '{path}' is not a readable SharpnessML model file: {cause.Message}", cause);
        }
    }

    private static bool IsReadError(Exception e) => e is InvalidDataException or JsonException or IOException or FormatException
        or InvalidOperationException or ArgumentException or NotSupportedException;

    private static Exception Innermost(Exception e)
    {
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        return e;
    }

    /// <summary>Builds the network of <paramref name="spec"/> and loads the stored weights (and buffers) into it.</summary>
    private static TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> ReadWeights(ZipArchive zip, string path, Networks.NetworkSpec spec)
    {
        var network = TorchRuntime.Seeded(0, spec.Build);
        try
        {
            using var weights = OpenEntry(zip, WeightsEntry, path);
            using var reader = new BinaryReader(weights, System.Text.Encoding.UTF8, leaveOpen: true);
            network.load(reader, strict: true);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Stores a TorchScript network as its whole archive (code and current weights, <c>torch.jit.save</c>).</summary>
    private static void WriteTorchScript(ZipArchive zip, TorchScript.TorchScriptNetwork script, string tempBase)
    {
        var archive = tempBase + ".pt";
        try
        {
            script.Save(archive);
            using var s = zip.CreateEntry(TorchScriptEntry).Open();
            using var file = File.OpenRead(archive);
            file.CopyTo(s);
        }
        finally
        {
            if (File.Exists(archive)) File.Delete(archive);
        }
    }

    /// <summary>Loads the TorchScript archive stored by <see cref="WriteTorchScript"/> (through a temporary file, as libtorch reads files).</summary>
    private static TorchScript.TorchScriptNetwork ReadTorchScript(ZipArchive zip, string path)
    {
        var archive = Path.Combine(Path.GetTempPath(), "sharpnessml-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N") + ".pt");
        try
        {
            using (var s = OpenEntry(zip, TorchScriptEntry, path))
            using (var file = File.Create(archive))
                s.CopyTo(file);
            return TorchScript.TorchScriptNetwork.Load(archive);
        }
        finally
        {
            if (File.Exists(archive)) File.Delete(archive);
        }
    }

    /// <summary>Reads only the manifest of a model file.</summary>
    public static ModelManifest ReadManifest(string path)
    {
        Data.InputFile.Check(path, "Model file", Data.InputFile.MaxModelBytes);
        try
        {
            using var zip = OpenZip(path);
            return ReadManifest(zip, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith($"Model file '{path}'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Model file '{path}' is not a readable SharpnessML model file: {e.Message}", e);
        }
    }

    /// <summary>Finds the one network in <paramref name="model"/> and the transformers around it.</summary>
    public static (ITransformer Upstream, TorchNetworkTransformer Network, IReadOnlyList<ITransformer> Downstream) Split(ITransformer model)
    {
        var parts = Flatten(model).ToList();
        var indices = parts.Select((t, i) => (t, i)).Where(p => p.t is TorchNetworkTransformer).Select(p => p.i).ToList();
        if (indices.Count != 1)
            throw new ArgumentException(indices.Count == 0
                ? "The model holds no SharpnessML network (TorchNetworkTransformer)."
                : $"The model holds {indices.Count} networks; a model file holds exactly one.", nameof(model));
        int at = indices[0];
        var upstream = new TransformerChain<ITransformer>(parts.Take(at).ToArray());
        return (upstream, (TorchNetworkTransformer)parts[at], parts.Skip(at + 1).ToList());
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is TransformerChain<ITransformer> chain)
            return chain.SelectMany(Flatten);
        if (model is IEnumerable<ITransformer> sequence)
            return sequence.SelectMany(Flatten);
        return new[] { model };
    }

    private static ModelManifest ReadManifest(ZipArchive zip, string path)
    {
        if (zip.GetEntry(ManifestEntry) is { Length: > MaxManifestBytes } large)
            throw new InvalidDataException($"Model file '{path}' has a manifest of {Data.InputFile.Size(large.Length)}; a manifest is at most {Data.InputFile.Size(MaxManifestBytes)}.");
        using var s = OpenEntry(zip, ManifestEntry, path);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(s, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model file '{path}' has an unreadable manifest: {e.Message}", e);
        }
        if (manifest is null || manifest.Format != FormatName)
            throw new InvalidDataException($"Model file '{path}' is not a SharpnessML model file (its manifest's format is '{manifest?.Format}').");
        if (manifest.Version != FormatVersion)
            throw new InvalidDataException($"Model file '{path}' has format version {manifest.Version}; this library reads version {FormatVersion}.");
        return manifest;
    }

    private const long MaxManifestBytes = 16L << 20;

    private static Stream OpenEntry(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name)
            ?? throw new InvalidDataException($"Model file '{path}' is not a SharpnessML model file: it has no '{name}' entry.");
        // Copy out so callers may seek (ML.NET's loader needs a seekable stream); the copy stops at the declared size,
        // which OpenZip bounded, whatever the compressed data would expand to.
        var copy = new MemoryStream();
        using (var s = Data.InputFile.Bounded(entry.Open(), $"{path}: {name}", entry.Length)) s.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    /// <summary>
    /// Opens a zip whose entries each declare at most <see cref="Data.InputFile.MaxEntryBytes"/> and together at most
    /// <see cref="Data.InputFile.MaxArchiveBytes"/> uncompressed (a zip bomb is refused before anything is inflated).
    /// </summary>
    internal static ZipArchive OpenZip(string path)
    {
        var zip = ZipFile.OpenRead(path);
        try
        {
            CheckEntrySizes(zip, $"Model file '{path}'");
            return zip;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a zip whose entries declare more than the limits (<see cref="OpenZip"/>).</summary>
    /// <param name="zip">The archive.</param>
    /// <param name="what">How messages name it, e.g. <c>Model file 'x.zip'</c>.</param>
    internal static void CheckEntrySizes(ZipArchive zip, string what)
    {
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            if (entry.Length > Data.InputFile.MaxEntryBytes)
                throw new InvalidDataException($"{what}: entry '{entry.FullName}' declares {Data.InputFile.Size(entry.Length)} uncompressed; the limit is {Data.InputFile.Size(Data.InputFile.MaxEntryBytes)}.");
            total += entry.Length;
            if (total > Data.InputFile.MaxArchiveBytes)
                throw new InvalidDataException($"{what}: its entries declare more than {Data.InputFile.Size(Data.InputFile.MaxArchiveBytes)} uncompressed, the limit.");
        }
    }
}
