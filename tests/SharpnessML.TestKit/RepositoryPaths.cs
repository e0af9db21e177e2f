namespace SharpnessML.TestKit;

/// <summary>The repository the tests were built from, found by walking up from the test binaries to SharpnessML.sln.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding SharpnessML.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository's <c>data/</c> folder.</summary>
    public static string Data(params string[] parts) => Path.Combine(new[] { Root, "data" }.Concat(parts).ToArray());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpnessML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("The repository (SharpnessML.sln) was not found above " + AppContext.BaseDirectory);
    }
}
