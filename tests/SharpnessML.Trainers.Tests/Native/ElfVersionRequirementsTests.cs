using SharpnessML.Trainers.Native;

namespace SharpnessML.Trainers.Tests.Native;

public sealed class ElfVersionRequirementsTests
{
    private static byte[] OriginalLibrary()
    {
        var path = TorchNativeLibrary.NativeSearchDirectories()
            .Select(d => Path.Combine(d, "libLibTorchSharp.so")).FirstOrDefault(File.Exists);
        Assert.NotNull(path);
        return File.ReadAllBytes(path!);
    }

    [Fact]
    public void TorchSharpsLibraryRequiresTheVersionStrictlyAndOneFlagBitMakesItWeak()
    {
        var original = OriginalLibrary();
        Assert.True(ElfVersionRequirements.RequiresStrictly(original, TorchNativeLibrary.RequiredVersion));

        var patched = (byte[])original.Clone();
        Assert.True(ElfVersionRequirements.MarkWeak(patched, TorchNativeLibrary.RequiredVersion));
        Assert.False(ElfVersionRequirements.RequiresStrictly(patched, TorchNativeLibrary.RequiredVersion));
        // Exactly one byte changes, by VER_FLG_WEAK (0x2) in the low byte of vna_flags.
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(original[changed[0]] | 0x2, patched[changed[0]]);
        // Idempotent; other versions are untouched.
        Assert.False(ElfVersionRequirements.MarkWeak(patched, TorchNativeLibrary.RequiredVersion));
        Assert.True(ElfVersionRequirements.RequiresStrictly(patched, "GLIBCXX_3.4.19"));
        Assert.False(ElfVersionRequirements.RequiresStrictly(original, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void TheLoadedLibraryIsThePatchedCopyWhenThisSystemLacksTheVersion()
    {
        TorchSharp.torch.manual_seed(0);
        if (TorchNativeLibrary.ProcessProvidesRequiredVersion()) return; // nothing to patch on this system
        var maps = File.ReadAllLines("/proc/self/maps").Where(l => l.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(maps);
        var loaded = maps[0][maps[0].IndexOf('/')..];
        Assert.Contains(Path.Combine("sharpnessml", "native"), loaded);
        Assert.False(ElfVersionRequirements.RequiresStrictly(File.ReadAllBytes(loaded), TorchNativeLibrary.RequiredVersion));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(100_000)]
    public void TruncatedFilesAreRefusedNotRead(int length)
    {
        var truncated = OriginalLibrary().AsSpan(0, length).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionRequirements.RequiresStrictly(truncated, TorchNativeLibrary.RequiredVersion));
    }

    [Fact]
    public void AFileThatIsNotElfIsRefused()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(new string('x', 200));
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionRequirements.MarkWeak(text, TorchNativeLibrary.RequiredVersion));
        Assert.Contains("not an ELF file", error.Message);
    }
}
