using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using TorchSharp;

namespace SharpnessML.Trainers.Native;

/// <summary>
/// Makes TorchSharp's native library load on Linux systems whose libstdc++ is older than the one it was built
/// against, in any program that uses SharpnessML — a project that takes the NuGet packages, a
/// <c>ProjectReference</c>, a published app, the installed tool, a file-based app — without touching the NuGet
/// cache or the program's folder.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for the symbol version <c>GLIBCXX_3.4.32</c> (GCC 13);
/// Debian 12 ships GCC 12's libstdc++ (up to <c>GLIBCXX_3.4.30</c>), so the dynamic loader refuses the library.
/// The only symbol bound to that version, <c>std::ios_base_library_init()</c>, is referenced but never relocated,
/// so the library works once that requirement is marked weak. When — and only when — the process's libstdc++
/// lacks the version and the library requires it strictly, the first load of TorchSharp's native library writes
/// a copy with the requirement marked weak to a per-user cache (<c>$XDG_CACHE_HOME/sharpnessml/native/&lt;SHA-256 of
/// the original&gt;/</c>, else <c>~/.cache/…</c>, else the temporary folder), preloads the libtorch libraries it
/// needs from where the program found them, and hands TorchSharp the patched copy: through a
/// <see cref="NativeLibrary.SetDllImportResolver"/> on TorchSharp's assembly and
/// <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/> (TorchSharp's own explicit load). Everywhere else it
/// does nothing.
/// </remarks>
internal static class TorchNativeLibrary
{
    /// <summary>The symbol version TorchSharp 0.107's native library asks for.</summary>
    internal const string RequiredVersion = "GLIBCXX_3.4.32";
    private const string VersionedSymbol = "_ZSt21ios_base_library_initv"; // std::ios_base_library_init()
    private const string LibraryName = "LibTorchSharp";
    private const string LibraryFile = "libLibTorchSharp.so";
    private static readonly string[] Dependencies = { "libc10.so", "libtorch_cpu.so", "libtorch.so" };

    private static readonly object Gate = new();
    private static int _registered;
    private static bool _resolved;
    private static IntPtr _handle;
    private static string? _failure;

#pragma warning disable CA2255 // A library module initializer is the point: the resolvers must be in place before any torch call.
    /// <summary>Registers the resolvers as soon as this assembly loads, so a program's first torch call finds them.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void RegisterAtLoad() => Register();
#pragma warning restore CA2255

    /// <summary>Registers the resolvers (cheap: no file is read until TorchSharp first loads its library).</summary>
    public static void Register()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _registered, 1) == 1) return;
        var torchAssembly = typeof(torch).Assembly;
        try
        {
            NativeLibrary.SetDllImportResolver(torchAssembly, (name, _, _) => name == LibraryName ? Resolve() : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // The program registered its own resolver for TorchSharp; the load-context event below still applies.
        }
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
            assembly == torchAssembly && name == LibraryName ? Resolve() : IntPtr.Zero;
    }

    /// <summary>
    /// Loads TorchSharp's native library (the patched copy where one is needed) before TorchSharp does, and returns why
    /// it cannot be loaded, or <c>null</c> when it can. TorchSharp writes its whole load trace to the console before it
    /// throws; checking first lets the caller report one paragraph instead. Only on Linux, where the failure modes are
    /// known; elsewhere <c>null</c>, and TorchSharp loads as usual.
    /// </summary>
    public static string? Preflight()
    {
        if (!OperatingSystem.IsLinux()) return null;
        Register();
        if (Resolve() != IntPtr.Zero) return null;
        if (Failure is { } failure) return $"preparing a copy of {LibraryFile} that this system's libstdc++ accepts failed: {failure}";
        var searched = NativeSearchDirectories().Distinct().ToList();
        if (!searched.Any(d => File.Exists(Path.Combine(d, LibraryFile))))
            return $"{LibraryFile} is in none of the folders this program loads native libraries from ({string.Join(", ", searched.Take(3))})";
        try
        {
            NativeLibrary.Load(LibraryName, typeof(torch).Assembly, null);
            return null;
        }
        catch (DllNotFoundException e)
        {
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.FirstOrDefault(l => l.Contains("cannot open shared object", StringComparison.Ordinal) || l.Contains("version `", StringComparison.Ordinal))
                   ?? lines.FirstOrDefault() ?? e.GetType().Name;
        }
    }

    /// <summary>Why the patched library could not be prepared, or <c>null</c>.</summary>
    public static string? Failure { get { lock (Gate) return _failure; } }

    /// <summary>The handle of the patched copy, or zero when TorchSharp's own loading applies.</summary>
    private static IntPtr Resolve()
    {
        lock (Gate)
        {
            if (_resolved) return _handle;
            _resolved = true;
            try
            {
                _handle = LoadPatchedCopy();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException or BadImageFormatException)
            {
                _failure = e.Message;
            }
            return _handle;
        }
    }

    private static IntPtr LoadPatchedCopy()
    {
        if (ProcessProvidesRequiredVersion()) return IntPtr.Zero;
        var searchDirectories = NativeSearchDirectories().ToList();
        var original = searchDirectories.Select(d => Path.Combine(d, LibraryFile)).FirstOrDefault(File.Exists);
        if (original is null) return IntPtr.Zero; // nothing to patch: TorchSharp reports what is missing
        var bytes = File.ReadAllBytes(original);
        if (!ElfVersionRequirements.RequiresStrictly(bytes, RequiredVersion)) return IntPtr.Zero;

        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var folder = Path.Combine(CacheRoot(), hash[..16]);
        var patched = Path.Combine(folder, LibraryFile);
        if (!File.Exists(patched) || ElfVersionRequirements.RequiresStrictly(File.ReadAllBytes(patched), RequiredVersion))
        {
            ElfVersionRequirements.MarkWeak(bytes, RequiredVersion);
            Directory.CreateDirectory(folder);
            // Write beside the target, then rename over it: concurrent processes never see half a library.
            var temporary = Path.Combine(folder, $"{LibraryFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, patched, overwrite: true);
        }

        // The copy's $ORIGIN is the cache folder: load what it needs from where the program keeps libtorch, by path;
        // the loader then matches its DT_NEEDED entries to these by soname.
        foreach (var dependency in Dependencies)
        {
            var path = searchDirectories.Select(d => Path.Combine(d, dependency)).FirstOrDefault(File.Exists)
                       ?? throw new DllNotFoundException($"{dependency} (libtorch) was not found beside {original}");
            NativeLibrary.Load(path);
        }
        return NativeLibrary.Load(patched);
    }

    /// <summary>Where the runtime looks for native libraries: the host's list (deps.json), then TorchSharp's own folders.</summary>
    internal static IEnumerable<string> NativeSearchDirectories()
    {
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string list)
            foreach (var d in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                yield return d;
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (var root in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(root)) continue;
            yield return root;
            yield return Path.Combine(root, "runtimes", rid, "native");
        }
    }

    private static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg
                 : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache")
                 : Path.Combine(Path.GetTempPath(), $"sharpnessml-{Environment.UserName}");
        var folder = Path.Combine(root, "sharpnessml", "native");
        try
        {
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"sharpnessml-{Environment.UserName}", "native")).FullName;
        }
    }

    /// <summary>Whether the libstdc++ this process loads defines the versioned symbol (asked of the dynamic loader).</summary>
    internal static bool ProcessProvidesRequiredVersion()
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out var libstdcxx)) return false;
        try
        {
            return dlvsym(libstdcxx, VersionedSymbol, RequiredVersion) != IntPtr.Zero;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return true; // not glibc (dlvsym is glibc's): nothing we know how to fix
        }
    }

    [DllImport("libc.so.6", EntryPoint = "dlvsym", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr dlvsym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol, [MarshalAs(UnmanagedType.LPUTF8Str)] string version);
}
