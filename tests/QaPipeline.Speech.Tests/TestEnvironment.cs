using QaPipeline.TestSupport;
using System.Diagnostics;
using QaPipeline.Speech.Whisper;

namespace QaPipeline.Speech.Tests;

/// <summary>
/// What the speech tests need and where it comes from: the repository, ../shared (speech clips, models), the
/// weightless Whisper test models (models/download for-tests links them from ../shared/models or fetches them
/// from the whisper.cpp repository); whisper.cpp itself comes with the Whisper.net.Runtime package. A missing
/// prerequisite throws with the reason: the test fails loudly, it never skips.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> Models = new(ProvideTestModels);

    public static string RepositoryRoot => RepositoryPaths.Root;

    public static string SharedDirectory => RepositoryPaths.Shared;

    public static string Speech(string relative) => Path.Combine(SharedDirectory, "speech", relative);

    public static string TinyModel => Path.Combine(Models.Value, "for-tests-ggml-tiny.bin");

    public static string BaseModel => Path.Combine(Models.Value, "for-tests-ggml-base.bin");

    /// <summary>The small test model, read from ../shared/models (models/download links only tiny and base).</summary>
    public static string SmallModel => Path.Combine(SharedDirectory, "models", "for-tests-ggml-small.bin");

    /// <summary>The weightless test models by name, for tests that run each of them.</summary>
    public static string TestModel(string size) => size switch
    {
        "tiny" => TinyModel,
        "base" => BaseModel,
        "small" => SmallModel,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "tiny, base or small"),
    };

    public static string VadModelPath
    {
        get
        {
            var linked = Path.Combine(RepositoryRoot, "models", "silero_vad.onnx");
            if (File.Exists(linked)) return linked;
            var shared = Path.Combine(SharedDirectory, "models", "silero_vad.onnx");
            if (File.Exists(shared)) return shared;
            throw new InvalidOperationException($"Silero VAD model missing: neither {linked} nor {shared} exists");
        }
    }

    public static string ScratchDirectory(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "generated", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a tool to completion; throws with its output when it fails.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    private static string ProvideTestModels()
    {
        var folder = Path.Combine(RepositoryRoot, "models");
        if (!File.Exists(Path.Combine(folder, "for-tests-ggml-tiny.bin")) || !File.Exists(Path.Combine(folder, "for-tests-ggml-base.bin")))
        {
            var env = new Dictionary<string, string?> { ["QA_SHARED_DIR"] = SharedDirectoryOrNull() };
            RunWithEnvironment(Path.Combine(folder, "download"), env, "for-tests");
        }
        return folder;
    }

    private static string? SharedDirectoryOrNull()
    {
        try { return SharedDirectory; } catch (InvalidOperationException) { return null; }
    }

    private static void RunWithEnvironment(string file, Dictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) if (v is not null) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err.Result}");
    }
}

/// <summary>One loaded tiny test model shared by the tests of a collection (loading is the slow part).</summary>
public sealed class TinyModelFixture : IDisposable
{
    public WhisperRecognizer Recognizer { get; } = WhisperRecognizer.Load(TestEnvironment.TinyModel);

    public void Dispose() => Recognizer.Dispose();
}

[CollectionDefinition("whisper")]
public sealed class WhisperCollection : ICollectionFixture<TinyModelFixture>;
