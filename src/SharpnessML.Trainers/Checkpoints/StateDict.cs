using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Checkpoints;

/// <summary>
/// The named tensors of a PyTorch checkpoint, in the file's order: a <c>torch.save(model.state_dict(), PATH)</c> file
/// (PyTorch's zip format, the default since PyTorch 1.6: a pickle of an OrderedDict whose tensors point at raw storages
/// in the zip, read without running any of it) or a <c>.safetensors</c> file (an 8-byte little-endian header length, a
/// JSON header of name → dtype, shape and byte range, then the raw little-endian data). Float16, BFloat16, Float32,
/// Float64 and integer tensors are read; every tensor is a new contiguous CPU tensor.
/// </summary>
public sealed class StateDict : IDisposable
{
    private StateDict(string path, string format, IReadOnlyList<(string Name, Tensor Tensor)> entries)
    {
        Path = path;
        Format = format;
        Entries = entries;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary><c>pytorch</c> or <c>safetensors</c>.</summary>
    public string Format { get; }

    /// <summary>The tensors with their names, in the file's order (a state_dict's is the modules' registration order; safetensors' the header's).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Entries { get; }

    /// <summary>Whether <paramref name="path"/> looks like a safetensors file (by its name, or by a JSON header where a zip would start with PK).</summary>
    public static bool IsSafetensors(string path)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return true;
        using var stream = File.OpenRead(path);
        var head = new byte[9];
        return stream.Read(head, 0, 9) == 9 && head[8] == (byte)'{';
    }

    /// <summary>Reads <paramref name="path"/> (either format).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is neither format, or is malformed (the message names the file and what is wrong).</exception>
    public static StateDict Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        TorchRuntime.EnsureInitialized();
        return IsSafetensors(path) ? ReadSafetensors(path) : ReadPyTorch(path);
    }

    private static StateDict ReadSafetensors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"Safetensors file '{path}' is shorter than its 8-byte header length.");
        long headerLength = BitConverter.ToInt64(bytes, 0);
        if (headerLength < 2 || 8 + headerLength > bytes.Length)
            throw new InvalidDataException($"Safetensors file '{path}' declares a {headerLength}-byte header, but has {bytes.Length} bytes.");
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        long dataStart = 8 + headerLength;
        var entries = new List<(string, Tensor)>();
        foreach (var property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            var info = property.Value;
            string dtype = info.GetProperty("dtype").GetString() ?? "";
            var shape = info.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = info.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var type = dtype switch
            {
                "F32" => ScalarType.Float32, "F64" => ScalarType.Float64, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16,
                "I64" => ScalarType.Int64, "I32" => ScalarType.Int32, "I16" => ScalarType.Int16, "I8" => ScalarType.Int8, "U8" => ScalarType.Byte,
                "BOOL" => ScalarType.Bool,
                _ => throw new InvalidDataException($"Safetensors file '{path}': tensor '{property.Name}' has dtype {dtype}, which is not read."),
            };
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (offsets.Length != 2 || offsets[1] - offsets[0] != count * ElementSize(type) || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"Safetensors file '{path}': tensor '{property.Name}' ({dtype} [{string.Join(", ", shape)}]) has byte range [{string.Join(", ", offsets)}], which does not fit its shape or the file.");
            entries.Add((property.Name, FromBytes(bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])), type, shape)));
        }
        return new StateDict(path, "safetensors", entries);
    }

    private sealed record Storage(ScalarType Type, string Key);

    private sealed record TensorRecipe(Storage Storage, long Offset, long[] Size, long[] Stride);

    private static StateDict ReadPyTorch(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw new InvalidDataException(
                $"'{path}' is neither a PyTorch zip checkpoint nor a safetensors file (PyTorch's legacy format, _use_new_zipfile_serialization=False, is not read; re-save it with a current torch.save).");
        }
        using (zip)
        {
            var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                         ?? throw new InvalidDataException(zip.GetEntry("sharpnessml.json") != null
                             ? $"'{path}' is a SharpnessML model file, not a PyTorch checkpoint; drop --architecture."
                             : $"'{path}' is a zip without a PyTorch data.pkl; it is not a torch.save checkpoint.");
            var prefix = pickle.FullName[..pickle.FullName.IndexOf('/')];
            if (zip.GetEntry(prefix + "/constants.pkl") != null || zip.Entries.Any(e => e.FullName.StartsWith(prefix + "/code/", StringComparison.Ordinal)))
                throw new InvalidDataException($"'{path}' is a TorchScript file, not a state_dict; drop --architecture (score and select read TorchScript as it is).");
            if (zip.GetEntry(prefix + "/byteorder") is { } order)
            {
                using var reader = new StreamReader(order.Open());
                var text = reader.ReadToEnd().Trim();
                if (text != "little") throw new InvalidDataException($"Checkpoint '{path}' stores its tensors {text}-endian; only little-endian is read.");
            }
            object? root;
            using (var stream = new MemoryStream())
            {
                using (var s = pickle.Open()) s.CopyTo(stream);
                stream.Position = 0;
                root = new PickleReader(stream, path, id => PersistentLoad(id, path), Reduce).Load();
            }
            if (root is not PickleReader.PyDict dict)
                throw new InvalidDataException($"Checkpoint '{path}' holds a {Describe(root)}, not a state_dict; save model.state_dict(), not the model.");
            var storages = new Dictionary<string, byte[]>();
            var entries = new List<(string, Tensor)>();
            foreach (var (key, value) in dict.Items)
            {
                if (key is not string name) throw new InvalidDataException($"Checkpoint '{path}' has a key {Describe(key)}; a state_dict's keys are strings.");
                if (value is not TensorRecipe recipe)
                    throw new InvalidDataException($"Checkpoint '{path}': entry '{name}' is a {Describe(value)}, not a tensor; save model.state_dict() (a dict of tensors).");
                if (!storages.TryGetValue(recipe.Storage.Key, out var data))
                {
                    var entry = zip.GetEntry($"{prefix}/data/{recipe.Storage.Key}")
                                ?? throw new InvalidDataException($"Checkpoint '{path}': tensor '{name}' refers to storage {recipe.Storage.Key}, which the zip lacks.");
                    using var s = entry.Open();
                    using var buffer = new MemoryStream();
                    s.CopyTo(buffer);
                    storages[recipe.Storage.Key] = data = buffer.ToArray();
                }
                entries.Add((name, Build(recipe, data, name, path)));
            }
            return new StateDict(path, "pytorch", entries);
        }
    }

    private static object PersistentLoad(object? id, string path)
    {
        if (id is object?[] { Length: >= 3 } t && t[0] is "storage" && t[1] is PickleReader.Global type && t[2] is string key)
        {
            var scalar = type.Name switch
            {
                "FloatStorage" => ScalarType.Float32, "DoubleStorage" => ScalarType.Float64, "HalfStorage" => ScalarType.Float16,
                "BFloat16Storage" => ScalarType.BFloat16, "LongStorage" => ScalarType.Int64, "IntStorage" => ScalarType.Int32,
                "ShortStorage" => ScalarType.Int16, "CharStorage" => ScalarType.Int8, "ByteStorage" => ScalarType.Byte, "BoolStorage" => ScalarType.Bool,
                _ => throw new InvalidDataException($"Checkpoint '{path}' has a storage of type {type}, which is not read."),
            };
            return new Storage(scalar, key);
        }
        throw new InvalidDataException($"Checkpoint '{path}' has a persistent id {Describe(id)} that is not a tensor storage.");
    }

    private static object? Reduce(PickleReader.Global callable, object?[] args) => callable.ToString() switch
    {
        "collections.OrderedDict" => new PickleReader.PyDict(),
        "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" when args.Length >= 4 && args[0] is Storage storage =>
            new TensorRecipe(storage, (long)args[1]!, Longs(args[2]), Longs(args[3])),
        "torch._utils._rebuild_parameter" when args.Length >= 1 && args[0] is TensorRecipe recipe => recipe,
        _ => null,
    };

    private static long[] Longs(object? tuple) => (tuple as object?[] ?? Array.Empty<object?>()).Select(v => (long)v!).ToArray();

    private static Tensor Build(TensorRecipe recipe, byte[] data, string name, string path)
    {
        int size = ElementSize(recipe.Storage.Type);
        long elements = data.Length / size;
        long last = recipe.Offset + recipe.Size.Select((n, i) => n == 0 ? 0 : (n - 1) * recipe.Stride[i]).Sum();
        if (recipe.Size.Length != recipe.Stride.Length || (recipe.Size.All(n => n > 0) && last >= elements))
            throw new InvalidDataException($"Checkpoint '{path}': tensor '{name}' [{string.Join(", ", recipe.Size)}] does not fit its storage of {elements} elements.");
        using var storage = FromBytes(data, recipe.Storage.Type, new[] { elements });
        return storage.as_strided(recipe.Size, recipe.Stride, recipe.Offset).contiguous().clone();
    }

    private static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>A tensor of <paramref name="type"/> and <paramref name="shape"/> from little-endian bytes (half precision widened to Float32).</summary>
    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType type, long[] shape)
    {
        int n = bytes.Length / ElementSize(type);
        switch (type)
        {
            case ScalarType.Float32: return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
            case ScalarType.Float64: return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape);
            case ScalarType.Int64: return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape);
            case ScalarType.Int32: return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape);
            case ScalarType.Int16: return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes).ToArray(), shape);
            case ScalarType.Float16:
            {
                var values = new float[n];
                for (int i = 0; i < n; i++) values[i] = (float)BitConverter.ToHalf(bytes.Slice(2 * i, 2));
                return torch.tensor(values, shape);
            }
            case ScalarType.BFloat16:
            {
                var values = new float[n];
                for (int i = 0; i < n; i++) values[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes.Slice(2 * i, 2)) << 16);
                return torch.tensor(values, shape);
            }
            case ScalarType.Int8: return torch.tensor(bytes.ToArray().Select(b => (sbyte)b).ToArray(), shape);
            case ScalarType.Bool: return torch.tensor(bytes.ToArray().Select(b => b != 0).ToArray(), shape);
            default: return torch.tensor(bytes.ToArray(), shape);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleReader.Reduced r => $"{r.Callable} object",
        PickleReader.Global g => g.ToString(),
        string s => $"string '{s}'",
        _ => value.GetType().Name,
    };

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var (_, tensor) in Entries) tensor.Dispose();
    }
}
