using QaPipeline.TestSupport;
using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Tests;

/// <summary>
/// Where the tests find the repository, the shared speech recordings and the Silero model. A missing prerequisite
/// throws with the reason (the test fails loudly), it never skips.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> VadModel = new(ProvideVadModel);

    public static string RepositoryRoot => RepositoryPaths.Root;

    /// <summary>The shared folder beside the project (../shared from the repository root; a git worktree may sit
    /// deeper, so each ancestor is tried). QA_SHARED_DIR overrides.</summary>
    public static string SharedDirectory => RepositoryPaths.Shared;

    public static string SpeechDirectory => Path.Combine(SharedDirectory, "speech");

    public static string Speech(string relative) => RepositoryPaths.Speech(relative);

    /// <summary>models/silero_vad.onnx in the repository, linked from the shared models on first use (never committed).</summary>
    public static string VadModelPath => VadModel.Value;

    /// <summary>A scratch folder for generated recordings, under the test output (git-ignored bin/).</summary>
    public static string ScratchDirectory(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "generated", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static SileroVad OpenVad(VadOptions? options = null) => new(VadModelPath, options);

    private static string ProvideVadModel()
    {
        var target = Path.Combine(RepositoryRoot, SileroVad.DefaultModelPath);
        if (File.Exists(target)) return target;
        var source = Path.Combine(SharedDirectory, "models", "silero_vad.onnx");
        if (!File.Exists(source))
            throw new InvalidOperationException($"Silero VAD model missing: neither {target} nor {source} exists");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.CreateSymbolicLink(target, source);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another test process linked it first.
        }
        return target;
    }
}
