using System.Runtime.InteropServices;
using System.Text;

namespace QaPipeline.Speech.Whisper;

/// <summary>Owns a <c>whisper_context*</c>; <c>whisper_free</c> runs exactly once, even if Dispose is forgotten.</summary>
internal sealed class WhisperContextHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static WhisperContextHandle FromNative(IntPtr ctx)
    {
        var h = new WhisperContextHandle();
        h.SetHandle(ctx);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        WhisperNative.whisper_free(handle);
        return true;
    }
}

/// <summary>
/// <see cref="ISpeechRecognizer"/> on whisper.cpp through its C API. One instance holds one loaded model
/// and its decoding state; calls on one instance are serialised (whisper.cpp's default state is not
/// re-entrant). Load once per process and reuse: loading costs more than a short clip.
/// </summary>
public sealed unsafe class WhisperRecognizer : ISpeechRecognizer
{
    public const int SampleRate = 16000;

    private readonly WhisperContextHandle _ctx;
    private readonly Lock _gate = new();
    private readonly int _eot;
    private readonly int _textCtx;

    public string ModelName { get; }
    public string ModelType { get; }
    public bool IsMultilingual { get; }

    private WhisperRecognizer(WhisperContextHandle ctx, string modelName)
    {
        _ctx = ctx;
        ModelName = modelName;
        var raw = ctx.DangerousGetHandle();
        _eot = WhisperNative.whisper_token_eot(raw);
        _textCtx = WhisperNative.whisper_model_n_text_ctx(raw);
        IsMultilingual = WhisperNative.whisper_is_multilingual(raw) != 0;
        ModelType = Marshal.PtrToStringUTF8(WhisperNative.whisper_model_type_readable(raw)) ?? "?";
    }

    /// <summary>Loads a ggml model. Throws <see cref="SpeechModelException"/> for a missing or unusable file,
    /// <see cref="SpeechEngineException"/> when the native library is missing. <paramref name="useGpu"/> only matters
    /// for a library built with GGML_CUDA=ON; a CPU-only build runs on the CPU either way.</summary>
    public static WhisperRecognizer Load(string modelPath, bool useGpu = true)
    {
        WhisperModelFile.Check(modelPath);
        _ = WhisperLibrary.Folder;
        var defaults = WhisperNative.whisper_context_default_params_by_ref();
        var cparams = *defaults;
        WhisperNative.whisper_free_context_params(defaults);
        cparams.UseGpu = useGpu;
        WhisperLibrary.TakeRecentErrors();
        var ctx = WhisperNative.whisper_init_from_file_with_params(modelPath, cparams);
        if (ctx == IntPtr.Zero)
        {
            var why = WhisperLibrary.TakeRecentErrors();
            throw new SpeechModelException($"whisper.cpp could not load {modelPath}" + (why.Length > 0 ? $": {why}" : ""));
        }
        return new WhisperRecognizer(WhisperContextHandle.FromNative(ctx), Path.GetFileName(modelPath));
    }

    public RecognitionResult Recognize(ReadOnlySpan<float> samples, RecognitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (samples.Length == 0) return new RecognitionResult(options.Language, []);
        var strategy = options.BeamSize > 1 ? WhisperSamplingStrategy.BeamSearch : WhisperSamplingStrategy.Greedy;
        var byRef = WhisperNative.whisper_full_default_params_by_ref(strategy);
        var p = *byRef;
        WhisperNative.whisper_free_params(byRef);

        var filter = LogitsFilter is null ? default : GCHandle.Alloc(LogitsFilter);
        var language = Marshal.StringToCoTaskMemUTF8(options.Language);
        var prompt = string.IsNullOrWhiteSpace(options.InitialPrompt) ? IntPtr.Zero : Marshal.StringToCoTaskMemUTF8(options.InitialPrompt);
        var vadModel = options.EngineVadModelPath is null ? IntPtr.Zero : Marshal.StringToCoTaskMemUTF8(options.EngineVadModelPath);
        try
        {
            p.NThreads = Math.Max(1, options.Threads);
            p.Language = language;
            p.DetectLanguage = false;
            p.Translate = false;
            p.NoContext = options.NoContext;
            p.TokenTimestamps = options.TokenTimestamps;
            p.InitialPrompt = prompt;
            p.PrintProgress = false;
            p.PrintRealtime = false;
            p.PrintTimestamps = false;
            p.PrintSpecial = false;
            p.SuppressBlank = true;
            // Non-speech tokens are the "(music)", "[applause]", "♪" annotations Whisper learnt from subtitles;
            // a call transcript never wants them.
            p.SuppressNst = true;
            p.TemperatureInc = Math.Max(0f, options.TemperatureIncrement);
            p.AudioCtx = Math.Clamp(options.AudioContext, 0, 1500);
            p.Greedy.BestOf = Math.Max(1, options.BeamSize);
            p.BeamSearch.BeamSize = Math.Max(1, options.BeamSize);
            if (filter.IsAllocated)
            {
                p.LogitsFilterCallback = (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, IntPtr, WhisperTokenData*, int, float*, void*, void>)&OnLogits;
                p.LogitsFilterCallbackUserData = GCHandle.ToIntPtr(filter);
            }
            if (vadModel != IntPtr.Zero)
            {
                p.Vad = true;
                p.VadModelPath = vadModel;
            }

            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
                var added = false;
                _ctx.DangerousAddRef(ref added);
                try
                {
                    var ctx = _ctx.DangerousGetHandle();
                    int rc;
                    fixed (float* s = samples)
                        rc = WhisperNative.whisper_full(ctx, p, s, samples.Length);
                    if (rc != 0)
                        throw new SpeechEngineException($"whisper_full failed (code {rc}): {WhisperLibrary.TakeRecentErrors()}");
                    return ReadResult(ctx, options.Language, samples.Length / (double)SampleRate);
                }
                finally
                {
                    if (added) _ctx.DangerousRelease();
                }
            }
        }
        finally
        {
            if (filter.IsAllocated) filter.Free();
            Marshal.FreeCoTaskMem(language);
            if (prompt != IntPtr.Zero) Marshal.FreeCoTaskMem(prompt);
            if (vadModel != IntPtr.Zero) Marshal.FreeCoTaskMem(vadModel);
        }
    }

    public (string Language, double Probability) DetectLanguage(ReadOnlySpan<float> samples, int threads)
    {
        if (samples.Length == 0) throw new ArgumentException("no audio to detect a language in", nameof(samples));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
            var ctx = _ctx.DangerousGetHandle();
            fixed (float* s = samples)
            {
                if (WhisperNative.whisper_pcm_to_mel(ctx, s, samples.Length, Math.Max(1, threads)) != 0)
                    throw new SpeechEngineException("whisper.cpp could not compute the spectrogram");
            }
            var probs = new float[WhisperNative.whisper_lang_max_id() + 1];
            int id;
            fixed (float* pr = probs)
                id = WhisperNative.whisper_lang_auto_detect(ctx, 0, Math.Max(1, threads), pr);
            if (id < 0) throw new SpeechEngineException($"whisper.cpp language detection failed (code {id})");
            return (Marshal.PtrToStringUTF8(WhisperNative.whisper_lang_str(id)) ?? "?", probs[id]);
        }
    }

    /// <summary>whisper.cpp's own timing report for everything this model has recognised so far (load, mel,
    /// encode and decode times with run counts: the encode run count is the number of 30 s windows).</summary>
    public IReadOnlyList<string> TimingReport()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
            var ctx = _ctx.DangerousGetHandle();
            return WhisperLibrary.CaptureTimings(() => WhisperNative.whisper_print_timings(ctx));
        }
    }

    /// <summary>Test hook: edits the logits before each token is sampled (arguments: tokens decoded so far in
    /// this segment, first special token id, logits over the vocabulary). The weightless test models give every
    /// token the same score and so say nothing; a test uses this to make them emit text through the real
    /// decoder, so segment, token and timestamp retrieval run end to end.</summary>
    internal Action<int, int, Span<float>>? LogitsFilter { get; set; }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnLogits(IntPtr ctx, IntPtr state, WhisperTokenData* tokens, int nTokens, float* logits, void* user)
    {
        var filter = (Action<int, int, Span<float>>)GCHandle.FromIntPtr((IntPtr)user).Target!;
        filter(nTokens, WhisperNative.whisper_token_eot(ctx), new Span<float>(logits, WhisperNative.whisper_n_vocab(ctx)));
    }

    /// <summary>How many tokens <paramref name="text"/> takes in this model's vocabulary.</summary>
    public int CountTokens(string text)
    {
        lock (_gate)
        {
            var ctx = _ctx.DangerousGetHandle();
            var buffer = new int[Math.Max(16, Encoding.UTF8.GetByteCount(text) + 8)];
            fixed (int* b = buffer)
                return WhisperNative.whisper_tokenize(ctx, text, b, buffer.Length);
        }
    }

    /// <summary>Longest prompt in tokens whisper.cpp keeps: half the text context (n_text_ctx/2 = 224), the
    /// rest belongs to the window being decoded.</summary>
    public int MaxPromptTokens => _textCtx / 2;

    private RecognitionResult ReadResult(IntPtr ctx, string requestedLanguage, double audioSeconds)
    {
        var language = requestedLanguage;
        if (requestedLanguage == "auto")
            language = Marshal.PtrToStringUTF8(WhisperNative.whisper_lang_str(WhisperNative.whisper_full_lang_id(ctx))) ?? "auto";
        var n = WhisperNative.whisper_full_n_segments(ctx);
        var segments = new List<RecognizedSegment>(n);
        for (var i = 0; i < n; i++)
        {
            // whisper.cpp times are in centiseconds; a window that ends without a timestamp token is reported as
            // running to the end of the 30 s window, past the audio it was given.
            var t0 = Math.Min(WhisperNative.whisper_full_get_segment_t0(ctx, i) / 100.0, audioSeconds);
            var t1 = Math.Min(WhisperNative.whisper_full_get_segment_t1(ctx, i) / 100.0, audioSeconds);
            var text = Utf8(WhisperNative.whisper_full_get_segment_text(ctx, i));
            var noSpeech = WhisperNative.whisper_full_get_segment_no_speech_prob(ctx, i);
            segments.Add(new RecognizedSegment(t0, Math.Max(t0, t1), text.Trim(), ReadTokens(ctx, i, audioSeconds), noSpeech));
        }
        return new RecognitionResult(language, segments);
    }

    private List<RecognizedToken> ReadTokens(IntPtr ctx, int segment, double audioSeconds)
    {
        var n = WhisperNative.whisper_full_n_tokens(ctx, segment);
        var tokens = new List<RecognizedToken>(n);
        // Whisper's tokens are byte-level: one Chinese character is often two or three tokens, none of which
        // is valid UTF-8 alone. Collect bytes until they decode, then emit one token for the character.
        var pending = new List<byte>();
        double start = 0, end = 0, p = 1;
        for (var k = 0; k < n; k++)
        {
            var data = WhisperNative.whisper_full_get_token_data(ctx, segment, k);
            if (data.Id >= _eot) continue; // [_EOT_], [_BEG_], timestamps, language tags
            var bytes = Bytes(WhisperNative.whisper_full_get_token_text(ctx, segment, k));
            if (pending.Count == 0) { start = Math.Min(data.T0 / 100.0, audioSeconds); p = 1; }
            pending.AddRange(bytes);
            end = Math.Min(data.T1 / 100.0, audioSeconds);
            p = Math.Min(p, data.P);
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

    private static string Utf8(IntPtr s) => Utf8(Bytes(s));

    /// <summary>Invalid byte sequences (a token cut mid-character by the model) are dropped, not shown as U+FFFD.</summary>
    private static string Utf8(IEnumerable<byte> bytes) => Encoding.UTF8.GetString(bytes.ToArray()).Replace("\uFFFD", "");

    private static byte[] Bytes(IntPtr s)
    {
        if (s == IntPtr.Zero) return [];
        var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)s);
        return span.ToArray();
    }

    public void Dispose()
    {
        lock (_gate) _ctx.Dispose();
    }
}
