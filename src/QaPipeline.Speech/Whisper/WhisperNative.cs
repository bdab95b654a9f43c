using System.Runtime.InteropServices;

namespace QaPipeline.Speech.Whisper;

// The whole P/Invoke surface of whisper.cpp 1.9.1 that the product uses, mirrored from include/whisper.h.
// Struct fields are declared in header order; C `bool` is one byte, so it is mirrored as CBool (a one-byte
// blittable struct) rather than C# bool, which the marshaller would widen to four bytes and shift every
// later field. WhisperLayoutTests compiles a C program against the cached whisper.h and checks that every
// offset and size below matches the header, so a whisper.cpp upgrade that moves a field fails loudly.

/// <summary>C99 <c>bool</c>: one byte, blittable.</summary>
[StructLayout(LayoutKind.Sequential, Size = 1)]
internal readonly struct CBool(bool value)
{
    private readonly byte _value = value ? (byte)1 : (byte)0;
    public static implicit operator bool(CBool b) => b._value != 0;
    public static implicit operator CBool(bool b) => new(b);
}

internal enum WhisperSamplingStrategy
{
    Greedy = 0,
    BeamSearch = 1,
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperAheads
{
    public nuint NHeads;
    public IntPtr Heads;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperContextParams
{
    public CBool UseGpu;
    public CBool FlashAttn;
    public int GpuDevice;
    public CBool DtwTokenTimestamps;
    public int DtwAheadsPreset;
    public int DtwNTop;
    public WhisperAheads DtwAheads;
    public nuint DtwMemSize;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperTokenData
{
    public int Id;
    public int Tid;
    public float P;
    public float PLog;
    public float Pt;
    public float PtSum;
    public long T0;
    public long T1;
    public long TDtw;
    public float VLen;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperVadParams
{
    public float Threshold;
    public int MinSpeechDurationMs;
    public int MinSilenceDurationMs;
    public float MaxSpeechDurationS;
    public int SpeechPadMs;
    public float SamplesOverlap;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperGreedyParams
{
    public int BestOf;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperBeamSearchParams
{
    public int BeamSize;
    public float Patience;
}

/// <summary>Mirror of <c>struct whisper_full_params</c>. Always start from whisper.cpp's own defaults
/// (<see cref="WhisperNative.whisper_full_default_params_by_ref"/>) and change fields; never build one from zero.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhisperFullParams
{
    public WhisperSamplingStrategy Strategy;
    public int NThreads;
    public int NMaxTextCtx;
    public int OffsetMs;
    public int DurationMs;
    public CBool Translate;
    public CBool NoContext;
    public CBool NoTimestamps;
    public CBool SingleSegment;
    public CBool PrintSpecial;
    public CBool PrintProgress;
    public CBool PrintRealtime;
    public CBool PrintTimestamps;
    public CBool TokenTimestamps;
    public float TholdPt;
    public float TholdPtSum;
    public int MaxLen;
    public CBool SplitOnWord;
    public int MaxTokens;
    public CBool DebugMode;
    public int AudioCtx;
    public CBool TdrzEnable;
    public IntPtr SuppressRegex;
    public IntPtr InitialPrompt;
    public CBool CarryInitialPrompt;
    public IntPtr PromptTokens;
    public int PromptNTokens;
    public IntPtr Language;
    public CBool DetectLanguage;
    public CBool SuppressBlank;
    public CBool SuppressNst;
    public float Temperature;
    public float MaxInitialTs;
    public float LengthPenalty;
    public float TemperatureInc;
    public float EntropyThold;
    public float LogprobThold;
    public float NoSpeechThold;
    public WhisperGreedyParams Greedy;
    public WhisperBeamSearchParams BeamSearch;
    public IntPtr NewSegmentCallback;
    public IntPtr NewSegmentCallbackUserData;
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
    public IntPtr EncoderBeginCallback;
    public IntPtr EncoderBeginCallbackUserData;
    public IntPtr AbortCallback;
    public IntPtr AbortCallbackUserData;
    public IntPtr LogitsFilterCallback;
    public IntPtr LogitsFilterCallbackUserData;
    public IntPtr GrammarRules;
    public nuint NGrammarRules;
    public nuint IStartRule;
    public float GrammarPenalty;
    public CBool Vad;
    public IntPtr VadModelPath;
    public WhisperVadParams VadParams;
}

internal static unsafe partial class WhisperNative
{
    public const string Library = "whisper";

    [LibraryImport(Library)]
    public static partial IntPtr whisper_version();

    [LibraryImport(Library)]
    public static partial WhisperContextParams* whisper_context_default_params_by_ref();

    [LibraryImport(Library)]
    public static partial void whisper_free_context_params(WhisperContextParams* p);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr whisper_init_from_file_with_params(string pathModel, WhisperContextParams p);

    [LibraryImport(Library)]
    public static partial void whisper_free(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial WhisperFullParams* whisper_full_default_params_by_ref(WhisperSamplingStrategy strategy);

    [LibraryImport(Library)]
    public static partial void whisper_free_params(WhisperFullParams* p);

    [LibraryImport(Library)]
    public static partial int whisper_full(IntPtr ctx, WhisperFullParams p, float* samples, int nSamples);

    [LibraryImport(Library)]
    public static partial int whisper_full_n_segments(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial void whisper_print_timings(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial IntPtr whisper_print_system_info();

    [LibraryImport(Library)]
    public static partial int whisper_full_lang_id(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial long whisper_full_get_segment_t0(IntPtr ctx, int segment);

    [LibraryImport(Library)]
    public static partial long whisper_full_get_segment_t1(IntPtr ctx, int segment);

    [LibraryImport(Library)]
    public static partial IntPtr whisper_full_get_segment_text(IntPtr ctx, int segment);

    [LibraryImport(Library)]
    public static partial float whisper_full_get_segment_no_speech_prob(IntPtr ctx, int segment);

    [LibraryImport(Library)]
    public static partial int whisper_full_n_tokens(IntPtr ctx, int segment);

    [LibraryImport(Library)]
    public static partial IntPtr whisper_full_get_token_text(IntPtr ctx, int segment, int token);

    [LibraryImport(Library)]
    public static partial WhisperTokenData whisper_full_get_token_data(IntPtr ctx, int segment, int token);

    [LibraryImport(Library)]
    public static partial int whisper_token_eot(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial int whisper_is_multilingual(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial int whisper_n_vocab(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial int whisper_model_n_text_ctx(IntPtr ctx);

    [LibraryImport(Library)]
    public static partial IntPtr whisper_model_type_readable(IntPtr ctx);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int whisper_tokenize(IntPtr ctx, string text, int* tokens, int nMaxTokens);

    [LibraryImport(Library)]
    public static partial int whisper_pcm_to_mel(IntPtr ctx, float* samples, int nSamples, int nThreads);

    [LibraryImport(Library)]
    public static partial int whisper_lang_auto_detect(IntPtr ctx, int offsetMs, int nThreads, float* langProbs);

    [LibraryImport(Library)]
    public static partial int whisper_lang_max_id();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int whisper_lang_id(string lang);

    [LibraryImport(Library)]
    public static partial IntPtr whisper_lang_str(int id);

    [LibraryImport(Library)]
    public static partial void whisper_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    // ggml, loaded beside libwhisper: with GGML_BACKEND_DL the CPU kernels are separate modules that ggml
    // looks for next to the *executable*, which for us is the dotnet host, so we point it at our folder.
    [LibraryImport("ggml", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport("ggml")]
    public static partial nuint ggml_backend_reg_count();

    [LibraryImport("ggml-base")]
    public static partial nuint ggml_type_size(int type);

    [LibraryImport("ggml-base")]
    public static partial long ggml_blck_size(int type);
}
