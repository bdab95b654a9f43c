namespace QaPipeline.TestSupport;

/// <summary>
/// The repository root (the folder holding QaPipeline.sln, found above the test binaries) and the shared test
/// data (`../shared`: whisper.cpp test models, Silero VAD, real recorded speech) that every checkout and CI run
/// has beside it. <c>QA_SHARED_DIR</c> overrides the latter.
/// </summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);
    private static readonly Lazy<string> SharedPath = new(FindShared);

    public static string Root => RootPath.Value;

    public static string Shared => SharedPath.Value;

    /// <summary>A recording of real speech in the shared data (<c>speech/zh/…</c>, <c>speech/en/…</c>).</summary>
    public static string Speech(string relative) => Path.Combine(Shared, "speech", relative);

    /// <summary>A model file as setup.sh links it under models/, else straight from the shared models.</summary>
    public static string Model(string file) =>
        File.Exists(Path.Combine(Root, "models", file)) ? Path.Combine(Root, "models", file) : Path.Combine(Shared, "models", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "QaPipeline.sln"))) return dir.FullName;
        throw new InvalidOperationException($"QaPipeline.sln not found above {AppContext.BaseDirectory}");
    }

    private static string FindShared()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("QA_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "speech", "manifest.json"))) return candidate;
        }
        throw new InvalidOperationException(
            $"shared test data not found: expected ../shared/speech/manifest.json beside {Root} (or set QA_SHARED_DIR)");
    }
}
