using System.Buffers.Binary;
using System.Text;

namespace SharpnessML.Trainers.Native;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>, <c>SHT_GNU_verneed</c>) of a 64-bit
/// little-endian ELF shared object. The one edit is to mark a requirement weak (<c>VER_FLG_WEAK</c> in
/// <c>vna_flags</c>): the dynamic loader then accepts the library when no loaded object provides that version,
/// and fails only if a symbol bound to it is actually relocated.
/// </summary>
internal static class ElfVersionRequirements
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Whether <paramref name="elf"/> requires <paramref name="versionName"/> without the weak flag.</summary>
    public static bool RequiresStrictly(ReadOnlySpan<byte> elf, string versionName)
    {
        bool strict = false;
        Visit(elf, versionName, (_, flags) => strict |= (flags & VerFlgWeak) == 0);
        return strict;
    }

    /// <summary>
    /// Marks every requirement of <paramref name="versionName"/> weak, in place. Returns whether anything changed
    /// (false when the file does not require the version or already requires it weakly).
    /// </summary>
    public static bool MarkWeak(Span<byte> elf, string versionName)
    {
        var offsets = new List<int>();
        Visit(elf, versionName, (flagsOffset, flags) => { if ((flags & VerFlgWeak) == 0) offsets.Add(flagsOffset); });
        foreach (var offset in offsets)
        {
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[offset..]);
            BinaryPrimitives.WriteUInt16LittleEndian(elf[offset..], (ushort)(flags | VerFlgWeak));
        }
        return offsets.Count > 0;
    }

    /// <summary>Calls <paramref name="onMatch"/> with the file offset and value of <c>vna_flags</c> of each entry named <paramref name="versionName"/>.</summary>
    private static void Visit(ReadOnlySpan<byte> elf, string versionName, Action<int, ushort> onMatch)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        var name = Encoding.ASCII.GetBytes(versionName);
        long sectionTable = U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), sectionCount = U16(elf, 0x3C);
        for (int i = 0; i < sectionCount; i++)
        {
            int section = Checked(elf, sectionTable + (long)i * entrySize, 64);
            if (U32(elf, section + 4) != ShtGnuVerneed) continue;
            long start = U64(elf, section + 0x18);
            long linkedSection = Checked(elf, sectionTable + (long)U32(elf, section + 0x28) * entrySize, 64);
            long strings = U64(elf, (int)linkedSection + 0x18);
            int need = Checked(elf, start, 16);
            while (true)
            {
                int count = U16(elf, need + 2);
                int aux = Checked(elf, need + (long)U32(elf, need + 8), 16);
                for (int k = 0; k < count; k++)
                {
                    int nameAt = Checked(elf, strings + U32(elf, aux + 8), name.Length + 1);
                    if (elf.Slice(nameAt, name.Length).SequenceEqual(name) && elf[nameAt + name.Length] == 0)
                        onMatch(aux + 4, U16(elf, aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux = Checked(elf, aux + (long)nextAux, 16);
                }
                uint next = U32(elf, need + 12);
                if (next == 0) break;
                need = Checked(elf, need + (long)next, 16);
            }
        }
    }

    private static int Checked(ReadOnlySpan<byte> elf, long offset, int length) =>
        offset >= 0 && offset + length <= elf.Length ? (int)offset : throw new InvalidDataException("truncated or corrupt ELF file");

    private static ushort U16(ReadOnlySpan<byte> elf, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(elf[Checked(elf, offset, 2)..]);
    private static uint U32(ReadOnlySpan<byte> elf, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(elf[Checked(elf, offset, 4)..]);
    private static long U64(ReadOnlySpan<byte> elf, int offset) => (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[Checked(elf, offset, 8)..]);
}
