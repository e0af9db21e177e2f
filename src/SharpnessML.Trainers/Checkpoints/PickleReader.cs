using System.Text;

namespace SharpnessML.Trainers.Checkpoints;

/// <summary>
/// The subset of Python's pickle format (protocols 2–5) that <c>torch.save(model.state_dict())</c> writes: dicts,
/// tuples, lists, strings, numbers, booleans, None, globals with REDUCE/BUILD, and persistent ids (the tensor storages).
/// Globals are not imported: they become <see cref="Global"/> values, and REDUCE calls only the few
/// the reduce callback knows (anything else becomes an opaque <see cref="Reduced"/>). Nothing in the file is
/// executed.
/// </summary>
internal sealed class PickleReader
{
    /// <summary>A global reference (<c>module.name</c>), never imported.</summary>
    public sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    /// <summary>A call the reader does not perform: the callable and its arguments.</summary>
    public sealed record Reduced(object Callable, object?[] Arguments);

    /// <summary>A Python dict (insertion order kept, as OrderedDict and dict both keep it).</summary>
    public sealed class PyDict
    {
        public List<KeyValuePair<object, object?>> Items { get; } = new();

        public void Set(object key, object? value)
        {
            int i = Items.FindIndex(kv => Equals(kv.Key, key));
            if (i >= 0) Items[i] = new(key, value);
            else Items.Add(new(key, value));
        }
    }

    private readonly BinaryReader input;
    private readonly Func<object?, object> persistentLoad;
    private readonly Func<Global, object?[], object?> reduce;
    private readonly string source;
    private readonly Stack<object?> stack = new();
    private readonly Stack<Stack<object?>> marks = new();
    private readonly Dictionary<long, object?> memo = new();

    private sealed class Mark;

    /// <param name="stream">The pickle.</param>
    /// <param name="source">Named in error messages.</param>
    /// <param name="persistentLoad">Resolves a persistent id (BINPERSID).</param>
    /// <param name="reduce">Performs the calls it knows (returns null for any other, which is then kept as <see cref="Reduced"/>).</param>
    public PickleReader(Stream stream, string source, Func<object?, object> persistentLoad, Func<Global, object?[], object?> reduce)
    {
        input = new BinaryReader(stream, Encoding.UTF8);
        this.source = source;
        this.persistentLoad = persistentLoad;
        this.reduce = reduce;
    }

    /// <summary>Reads the one object the pickle holds.</summary>
    public object? Load()
    {
        while (true)
        {
            int code = input.BaseStream.ReadByte();
            if (code < 0) throw Bad("ends before its STOP opcode");
            switch ((byte)code)
            {
                case 0x80: input.ReadByte(); break; // PROTO
                case 0x95: input.ReadInt64(); break; // FRAME
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Push(new Stack<object?>(stack.Reverse())); stack.Clear(); break; // MARK: the stack so far is set aside
                case (byte)'N': stack.Push(null); break;
                case 0x88: stack.Push(true); break;
                case 0x89: stack.Push(false); break;
                case (byte)'K': stack.Push((long)input.ReadByte()); break; // BININT1
                case (byte)'M': stack.Push((long)input.ReadUInt16()); break; // BININT2
                case (byte)'J': stack.Push((long)input.ReadInt32()); break; // BININT
                case 0x8a: stack.Push(Long(input.ReadBytes(input.ReadByte()))); break; // LONG1
                case 0x8b: stack.Push(Long(input.ReadBytes(input.ReadInt32()))); break; // LONG4
                case (byte)'G': stack.Push(BitConverter.ToDouble(input.ReadBytes(8).Reverse().ToArray())); break; // BINFLOAT (big-endian)
                case (byte)'X': stack.Push(Utf8(input.ReadInt32())); break; // BINUNICODE
                case 0x8c: stack.Push(Utf8(input.ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: stack.Push(Utf8(checked((int)input.ReadInt64()))); break; // BINUNICODE8
                case (byte)'B': stack.Push(input.ReadBytes(input.ReadInt32())); break; // BINBYTES
                case (byte)'C': stack.Push(input.ReadBytes(input.ReadByte())); break; // SHORT_BINBYTES
                case (byte)'}': stack.Push(new PyDict()); break; // EMPTY_DICT
                case (byte)']': stack.Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': stack.Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'t': stack.Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: stack.Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'l': stack.Push(PopMark().ToList()); break; // LIST
                case (byte)'d': { var items = PopMark(); var d = new PyDict(); for (int i = 0; i + 1 < items.Count; i += 2) d.Set(items[i]!, items[i + 1]); stack.Push(d); break; } // DICT
                case (byte)'q': memo[input.ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': memo[input.ReadUInt32()] = Peek(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': stack.Push(Memo(input.ReadByte())); break; // BINGET
                case (byte)'j': stack.Push(Memo(input.ReadUInt32())); break; // LONG_BINGET
                case (byte)'c': stack.Push(new Global(Line(), Line())); break; // GLOBAL
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; stack.Push(new Global(module, name)); break; } // STACK_GLOBAL
                case (byte)'Q': stack.Push(persistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Bad("has a REDUCE whose arguments are not a tuple");
                    var callable = Pop()!;
                    stack.Push((callable is Global g ? reduce(g, args) : null) ?? new Reduced(callable, args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop() as object?[] ?? Array.Empty<object?>();
                    var cls = Pop()!;
                    stack.Push((cls is Global g ? reduce(g, args) : null) ?? new Reduced(cls, args));
                    break;
                }
                case (byte)'b': Pop(); break; // BUILD: the state (e.g. a state_dict's _metadata) is not needed
                case (byte)'s': { var value = Pop(); var key = Pop()!; (Peek() as PyDict ?? throw Bad("sets an item on a non-dict")).Set(key, value); break; } // SETITEM
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    var dict = Peek() as PyDict ?? throw Bad("sets items on a non-dict");
                    for (int i = 0; i + 1 < items.Count; i += 2) dict.Set(items[i]!, items[i + 1]);
                    break;
                }
                case (byte)'a': { var value = Pop(); (Peek() as List<object?> ?? throw Bad("appends to a non-list")).Add(value); break; } // APPEND
                case (byte)'e': { var items = PopMark(); (Peek() as List<object?> ?? throw Bad("appends to a non-list")).AddRange(items); break; } // APPENDS
                default:
                    throw Bad($"uses pickle opcode 0x{code:x2} at byte {input.BaseStream.Position - 1}, which a state_dict does not need (only plain torch.save(model.state_dict()) files are read)");
            }
        }
    }

    private object? Pop() => stack.Count > 0 ? stack.Pop() : throw Bad("pops from an empty stack");

    private object? Peek() => stack.Count > 0 ? stack.Peek() : throw Bad("reads from an empty stack");

    private List<object?> PopMark()
    {
        if (marks.Count == 0) throw Bad("has no MARK where one is needed");
        var items = stack.Reverse().ToList();
        stack.Clear();
        foreach (var item in marks.Pop().Reverse()) stack.Push(item);
        return items;
    }

    private object? Memo(long key) => memo.TryGetValue(key, out var value) ? value : throw Bad($"refers to memo entry {key}, which was never stored");

    private string Utf8(int length) => Encoding.UTF8.GetString(input.ReadBytes(length));

    private string Line()
    {
        var bytes = new List<byte>();
        int b;
        while ((b = input.BaseStream.ReadByte()) >= 0 && b != '\n') bytes.Add((byte)b);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static long Long(byte[] bytes)
    {
        if (bytes.Length == 0) return 0;
        if (bytes.Length > 8) throw new InvalidDataException("A pickled integer does not fit in 64 bits.");
        var padded = new byte[8];
        Array.Copy(bytes, padded, bytes.Length);
        if ((bytes[^1] & 0x80) != 0) for (int i = bytes.Length; i < 8; i++) padded[i] = 0xff;
        return BitConverter.ToInt64(padded);
    }

    private InvalidDataException Bad(string what) => new($"'{source}' {what}.");
}
