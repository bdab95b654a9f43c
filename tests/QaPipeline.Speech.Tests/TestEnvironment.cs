using QaPipeline.TestSupport;
using System.Diagnostics;
using QaPipeline.Speech.Whisper;

namespace QaPipeline.Speech.Tests;

/// <summary>
/// What the speech tests need and where it comes from: the repository, ../shared (speech clips, models), the
/// weightless Whisper test models (models/download for-tests links them from ../shared/models or fetches them
/// from the whisper.cpp repository) and the whisper.cpp library (native/build-whisper.sh builds it when the
/// cache is empty). A missing prerequisite throws with the reason: the test fails loudly, it never skips.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> Native = new(ProvideWhisperLibrary);
    private static readonly Lazy<string> Models = new(ProvideTestModels);

    public static string RepositoryRoot => RepositoryPaths.Root;

    public static string SharedDirectory => RepositoryPaths.Shared;

    public static string Speech(string relative) => Path.Combine(SharedDirectory, "speech", relative);

    /// <summary>Folder of the whisper.cpp library, built on first use when missing.</summary>
    public static string WhisperLibraryFolder => Native.Value;

    public static string TinyModel => Path.Combine(Models.Value, "for-tests-ggml-tiny.bin");

    public static string BaseModel => Path.Combine(Models.Value, "for-tests-ggml-base.bin");

    private static readonly Lazy<string> Talking = new(MakeTalkingTinyModel);

    /// <summary>
    /// The tiny test model with every tensor present and zero-filled. whisper.cpp treats a model file without
    /// tensors (the shared for-tests models) as a fixture and ends each window after one token, so nothing could
    /// ever come back as a segment. With all 167 tensors loaded it runs its full decoding loop; zero weights
    /// make every token equally likely, and <see cref="ForcedSpeech"/> steers that loop to produce text.
    /// Same architecture and cost as tiny; written once per test run into the git-ignored test output.
    /// </summary>
    public static string TalkingTinyModel => Talking.Value;

    private static string MakeTalkingTinyModel()
    {
        var bytes = File.ReadAllBytes(TinyModel);
        int H(int i) => BitConverter.ToInt32(bytes, 4 + i * 4);
        var (vocab, audioCtx, audioState, audioLayers, textCtx, textState, textLayers, mels, ftype) =
            (H(0), H(1), H(2), H(4), H(5), H(6), H(8), H(9), H(10));
        const int f32 = 0;
        var w = ftype % 1000; // ggml type of the 2-D weights (1 = F16 in the test models)
        var tensors = new List<(string Name, int Type, int[] Shape)>
        {
            ("encoder.positional_embedding", f32, [audioState, audioCtx]),
            ("encoder.conv1.weight", w, [3, mels, audioState]),
            ("encoder.conv1.bias", f32, [1, audioState]),
            ("encoder.conv2.weight", w, [3, audioState, audioState]),
            ("encoder.conv2.bias", f32, [1, audioState]),
            ("encoder.ln_post.weight", f32, [audioState]),
            ("encoder.ln_post.bias", f32, [audioState]),
            ("decoder.positional_embedding", f32, [textState, textCtx]),
            ("decoder.token_embedding.weight", w, [textState, vocab]),
            ("decoder.ln.weight", f32, [textState]),
            ("decoder.ln.bias", f32, [textState]),
        };
        void Attention(string prefix, int n)
        {
            tensors.Add(($"{prefix}_ln.weight", f32, [n]));
            tensors.Add(($"{prefix}_ln.bias", f32, [n]));
            foreach (var part in new[] { "query", "value", "out" })
            {
                tensors.Add(($"{prefix}.{part}.weight", w, [n, n]));
                tensors.Add(($"{prefix}.{part}.bias", f32, [n]));
            }
            tensors.Add(($"{prefix}.key.weight", w, [n, n]));
        }
        void Mlp(string prefix, int n)
        {
            tensors.Add(($"{prefix}.mlp_ln.weight", f32, [n]));
            tensors.Add(($"{prefix}.mlp_ln.bias", f32, [n]));
            tensors.Add(($"{prefix}.mlp.0.weight", w, [n, 4 * n]));
            tensors.Add(($"{prefix}.mlp.0.bias", f32, [4 * n]));
            tensors.Add(($"{prefix}.mlp.2.weight", w, [4 * n, n]));
            tensors.Add(($"{prefix}.mlp.2.bias", f32, [n]));
        }
        for (var i = 0; i < audioLayers; i++)
        {
            Mlp($"encoder.blocks.{i}", audioState);
            Attention($"encoder.blocks.{i}.attn", audioState);
        }
        for (var i = 0; i < textLayers; i++)
        {
            Mlp($"decoder.blocks.{i}", textState);
            Attention($"decoder.blocks.{i}.attn", textState);
            Attention($"decoder.blocks.{i}.cross_attn", textState);
        }

        var path = Path.Combine(ScratchDirectory("models"), "talking-tiny.bin");
        var partial = path + $".{Environment.ProcessId}.part";
        using (var f = File.Create(partial))
        {
            f.Write(bytes);
            foreach (var (name, type, shape) in tensors)
            {
                var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
                foreach (var v in new[] { shape.Length, nameBytes.Length, type }.Concat(shape)) f.Write(BitConverter.GetBytes(v));
                f.Write(nameBytes);
                var size = shape.Aggregate(1L, (a, d) => a * d) * (type == f32 ? 4 : 2);
                f.Seek(size, SeekOrigin.Current); // zeros: the file system fills the hole
            }
            f.SetLength(f.Position);
        }
        File.Move(partial, path, overwrite: true);
        return path;
    }

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

    private static string ProvideWhisperLibrary()
    {
        try
        {
            return WhisperLibrary.Locate();
        }
        catch (SpeechEngineException)
        {
            // First run on a clean machine: build it (minutes), exactly as setup.sh would.
            Run("bash", Path.Combine(RepositoryRoot, "native", "build-whisper.sh"));
            return WhisperLibrary.Locate();
        }
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
    public TinyModelFixture()
    {
        _ = TestEnvironment.WhisperLibraryFolder;
        Recognizer = WhisperRecognizer.Load(TestEnvironment.TinyModel);
        Talking = WhisperRecognizer.Load(TestEnvironment.TalkingTinyModel);
    }

    public WhisperRecognizer Recognizer { get; }

    /// <summary>Runs the full decoding loop (see <see cref="TestEnvironment.TalkingTinyModel"/>).</summary>
    public WhisperRecognizer Talking { get; }

    public void Dispose()
    {
        Recognizer.Dispose();
        Talking.Dispose();
    }
}

[CollectionDefinition("whisper")]
public sealed class WhisperCollection : ICollectionFixture<TinyModelFixture>;

/// <summary>Makes a weightless test model say something. Its logits are all equal, so it would emit nothing;
/// this boosts six distinct text tokens per decoded sequence and then the end-of-text token, so the real
/// decoder produces a segment whose text, times and token probabilities the binding must read back.</summary>
public sealed class ForcedSpeech
{
    private int _sequence;

    public void Filter(int decoded, int eot, Span<float> logits)
    {
        if (decoded == 0) _sequence++;
        if (decoded < 6)
        {
            logits[1000 + (_sequence * 7 + decoded * 13) % 5000] = 30f;
            return;
        }
        logits[..eot].Fill(float.NegativeInfinity);
        logits[eot] = 30f;
    }
}
