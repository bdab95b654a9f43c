using System.Text;
using Whisper.net;

namespace QaPipeline.Speech.Whisper;

/// <summary>
/// <see cref="ISpeechRecognizer"/> on whisper.cpp through Whisper.net. One instance holds one loaded model
/// (a <see cref="WhisperFactory"/>) and the processor (whisper.cpp decoding state) of the last options used;
/// calls on one instance are serialised (a whisper.cpp state is not re-entrant). Load once per process and
/// reuse: loading costs more than a short clip.
/// </summary>
public sealed class WhisperRecognizer : ISpeechRecognizer
{
    public const int SampleRate = 16000;

    private readonly WhisperFactory _factory;
    private readonly WhisperModelFile.Header _model;
    private readonly Lock _gate = new();
    private WhisperProcessor? _processor;
    private (RecognitionOptions Options, int Threads)? _processorKey;
    private long _encoderWindows;
    private bool _disposed;

    public string ModelName { get; }
    public string ModelType => _model.ModelType;
    public bool IsMultilingual => _model.IsMultilingual;

    /// <summary>Encoder runs so far: one per 30 s window Whisper processed (language detection included).</summary>
    public long EncoderWindows => Interlocked.Read(ref _encoderWindows);

    private WhisperRecognizer(WhisperFactory factory, WhisperModelFile.Header model, string modelName)
    {
        _factory = factory;
        _model = model;
        ModelName = modelName;
    }

    /// <summary>Loads a ggml model. Throws <see cref="SpeechModelException"/> for a missing or unusable file,
    /// <see cref="SpeechEngineException"/> when the runtime cannot run here. <paramref name="useGpu"/> only matters
    /// when a GPU runtime package (Whisper.net.Runtime.Cuda, .Vulkan) is installed; the CPU runtime ignores it.
    /// <paramref name="runtimeOrder"/>: QA_WHISPER_RUNTIMES as the host read it, applied at the process's first load.</summary>
    public static WhisperRecognizer Load(string modelPath, bool useGpu = true, string? runtimeOrder = null)
    {
        // whisper.cpp trusts the sizes in the file (a corrupt one can take the process down), so it only ever
        // sees a file whose header has been walked.
        var header = WhisperModelFile.Check(modelPath);
        WhisperRuntime.EnsureReady(runtimeOrder);
        WhisperRuntime.TakeRecentErrors();
        WhisperFactory? factory = null;
        try
        {
            factory = WhisperFactory.FromPath(modelPath, new WhisperFactoryOptions { UseGpu = useGpu });
            // Whisper.net reports a model whisper.cpp refused only when the first builder is asked for; ask now,
            // on this thread, so the failure and whisper.cpp's reason (logged on this thread) belong to Load.
            _ = factory.CreateBuilder();
        }
        catch (WhisperModelLoadException)
        {
            factory?.Dispose();
            var why = WhisperRuntime.TakeRecentErrors();
            throw new SpeechModelException($"whisper.cpp could not load {modelPath}" + (why.Length > 0 ? $": {why}" : ""));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or FileNotFoundException or TypeInitializationException)
        {
            throw new SpeechEngineException($"the Whisper.net runtime could not be loaded ({e.GetBaseException().Message.ReplaceLineEndings(" ")}); " +
                                            "is the Whisper.net.Runtime package restored for this platform?");
        }
        return new WhisperRecognizer(factory, header, Path.GetFileName(modelPath));
    }

    public RecognitionResult Recognize(ReadOnlyMemory<float> samples, RecognitionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            if (samples.Length == 0) return new RecognitionResult(options.Language, []);
            var processor = ProcessorFor(options);
            var audioSeconds = samples.Length / (double)SampleRate;
            var segments = new List<RecognizedSegment>();
            var language = options.Language;
            try
            {
                // ProcessAsync is Whisper.net's cancellable entry point (it aborts whisper_full from its abort
                // callback); the caller is synchronous, so its segments are drained here.
                foreach (var s in processor.ProcessAsync(samples, cancellationToken).ToBlockingEnumerable(cancellationToken))
                {
                    if (options.Language == "auto" && !string.IsNullOrEmpty(s.Language) && language == "auto") language = s.Language;
                    segments.Add(ToSegment(s, _model.Vocabulary, audioSeconds));
                }
            }
            catch (WhisperProcessingException e)
            {
                var why = WhisperRuntime.TakeRecentErrors();
                throw new SpeechEngineException($"whisper.cpp could not decode (code {e.ErrorCode})" + (why.Length > 0 ? $": {why}" : ""));
            }
            return new RecognitionResult(language, segments);
        }
    }

    public (string Language, double Probability) DetectLanguage(ReadOnlySpan<float> samples, int threads)
    {
        if (samples.Length == 0) throw new ArgumentException("no audio to detect a language in", nameof(samples));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Whisper detects on the first 30 s window; a dedicated processor, since detection is rare and must not
            // disturb the cached decoding state.
            using var processor = _factory.CreateBuilder().WithThreads(Math.Max(1, threads)).WithLanguage("auto")
                .WithEncoderBeginHandler(_ => { Interlocked.Increment(ref _encoderWindows); return true; }).Build();
            var window = samples[..Math.Min(samples.Length, 30 * SampleRate)];
            var (language, probability) = processor.DetectLanguageWithProbability(window, []);
            if (string.IsNullOrEmpty(language)) throw new SpeechEngineException("whisper.cpp language detection failed");
            return (language, probability);
        }
    }

    /// <summary>How many tokens <paramref name="text"/> takes in this model's vocabulary.</summary>
    public int CountTokens(string text) => _model.Vocabulary.CountTokens(text);

    /// <summary>Longest prompt in tokens whisper.cpp keeps: half the text context (n_text_ctx/2 = 224), the
    /// rest belongs to the window being decoded.</summary>
    public int MaxPromptTokens => _model.NTextCtx / 2;

    /// <summary>The processor for these options: the cached one when the options are the same as last time
    /// (a call's batches all are), else a new one. A processor owns a whisper.cpp state (KV cache and compute
    /// buffers, tens to hundreds of MB), so only one is kept.</summary>
    private WhisperProcessor ProcessorFor(RecognitionOptions options)
    {
        var threads = Math.Max(1, options.Threads);
        if (_processor is not null && _processorKey == (options, threads)) return _processor;
        _processor?.Dispose();
        _processor = null;
        var builder = _factory.CreateBuilder()
            .WithThreads(threads)
            .WithLanguage(options.Language)
            .WithProbabilities()
            .WithTemperature(0f)
            .WithTemperatureInc(Math.Max(0f, options.TemperatureIncrement))
            .WithAudioContextSize(Math.Clamp(options.AudioContext, 0, 1500))
            .WithEncoderBeginHandler(_ => { Interlocked.Increment(ref _encoderWindows); return true; });
        if (options.TokenTimestamps) builder = builder.WithTokenTimestamps();
        if (options.NoContext) builder = builder.WithNoContext();
        if (!string.IsNullOrWhiteSpace(options.InitialPrompt)) builder = builder.WithPrompt(options.InitialPrompt);
        builder = options.BeamSize > 1
            ? (WhisperProcessorBuilder)builder.WithBeamSearchSamplingStrategy(b => b.WithBeamSize(options.BeamSize))
            : builder.WithGreedySamplingStrategy();
        _processor = builder.Build();
        _processorKey = (options, threads);
        return _processor;
    }

    /// <summary>One Whisper.net segment as the product's <see cref="RecognizedSegment"/>.</summary>
    internal static RecognizedSegment ToSegment(SegmentData s, WhisperVocabulary vocabulary, double audioSeconds)
    {
        // A window that ends without a timestamp token is reported as running to the end of the 30 s window,
        // past the audio it was given.
        var t0 = Math.Min(s.Start.TotalSeconds, audioSeconds);
        var t1 = Math.Min(s.End.TotalSeconds, audioSeconds);
        return new RecognizedSegment(t0, Math.Max(t0, t1), Clean(s.Text).Trim(), ReadTokens(s.Tokens, vocabulary, audioSeconds), s.NoSpeechProbability);
    }

    private static List<RecognizedToken> ReadTokens(WhisperToken[]? data, WhisperVocabulary vocabulary, double audioSeconds)
    {
        var tokens = new List<RecognizedToken>(data?.Length ?? 0);
        if (data is null) return tokens;
        // Whisper's tokens are byte-level: one Chinese character is often two or three tokens, none of which
        // is valid UTF-8 alone. Collect their bytes (from the model's vocabulary; Whisper.net's per-token strings
        // have already turned them into U+FFFD) until they decode, then emit one token for the character.
        var pending = new List<byte>();
        double start = 0, end = 0, p = 1;
        foreach (var t in data)
        {
            if (t.Id >= vocabulary.EndOfText) continue; // [_EOT_], [_BEG_], timestamps, language tags
            var bytes = vocabulary.Bytes(t.Id) ?? Encoding.UTF8.GetBytes(t.Text ?? "");
            // Token times are in centiseconds, like whisper.cpp's.
            if (pending.Count == 0) { start = Math.Min(t.Start / 100.0, audioSeconds); p = 1; }
            pending.AddRange(bytes);
            end = Math.Min(t.End / 100.0, audioSeconds);
            p = Math.Min(p, t.Probability);
            if (!IsCompleteUtf8(pending)) continue;
            tokens.Add(new RecognizedToken(Utf8(pending), start, Math.Max(start, end), p));
            pending.Clear();
        }
        if (pending.Count > 0)
            tokens.Add(new RecognizedToken(Utf8(pending), start, Math.Max(start, end), p));
        return tokens;
    }

    internal static bool IsCompleteUtf8(List<byte> bytes)
    {
        // Valid when the last lead byte's sequence is complete.
        var i = bytes.Count - 1;
        var continuation = 0;
        while (i >= 0 && (bytes[i] & 0xC0) == 0x80) { continuation++; i--; }
        if (i < 0) return false;
        var lead = bytes[i];
        var need = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : 0;
        return continuation >= need;
    }

    /// <summary>Invalid byte sequences (a token cut mid-character by the model) are dropped, not shown as U+FFFD.</summary>
    private static string Utf8(List<byte> bytes) => Clean(Encoding.UTF8.GetString(bytes.ToArray()));

    private static string Clean(string? text) => (text ?? "").Replace("\uFFFD", "");

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _processor?.Dispose();
            _processor = null;
            _factory.Dispose();
        }
    }
}
