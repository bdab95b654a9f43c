namespace QaPipeline.Speech;

/// <summary>
/// A speech-to-text engine as the rest of the product sees it: 16 kHz mono float samples in, timed segments
/// with token probabilities out. whisper.cpp through Whisper.net (<see cref="Whisper.WhisperRecognizer"/>) is the
/// one engine today; another (a cloud ASR, a different local model) plugs in here without touching the call pipeline.
/// Implementations are not required to be thread-safe for concurrent calls on one instance.
/// </summary>
public interface ISpeechRecognizer : IDisposable
{
    /// <summary>Short model name for transcripts and logs (e.g. "ggml-small.bin").</summary>
    string ModelName { get; }

    /// <summary>Recognises <paramref name="samples"/> (16 kHz mono, -1..1). Times in the result are
    /// seconds from the first sample. Cancelling stops the engine mid-run with <see cref="OperationCanceledException"/>.</summary>
    RecognitionResult Recognize(ReadOnlyMemory<float> samples, RecognitionOptions options, CancellationToken cancellationToken = default);

    /// <summary>Most likely spoken language of the first 30 s of <paramref name="samples"/>, as an ISO code
    /// ("zh", "en") with its probability.</summary>
    (string Language, double Probability) DetectLanguage(ReadOnlySpan<float> samples, int threads);

    /// <summary>Tokens <paramref name="text"/> takes as a prompt (to fit <see cref="MaxPromptTokens"/>).</summary>
    int CountTokens(string text);

    /// <summary>Longest initial prompt the engine keeps, in tokens.</summary>
    int MaxPromptTokens { get; }
}

/// <summary>How to decode. Defaults follow whisper.cpp's CLI (beam 5, temperature fallback by 0.2).</summary>
public sealed record RecognitionOptions
{
    /// <summary>ISO language code ("zh", "en") or "auto" to detect it.</summary>
    public string Language { get; init; } = "auto";

    public int Threads { get; init; } = Math.Min(4, Environment.ProcessorCount);

    /// <summary>Beam width; 1 means greedy decoding.</summary>
    public int BeamSize { get; init; } = 5;

    /// <summary>Temperature step for Whisper's fallback when a window decodes badly (high entropy or low
    /// log-probability); 0 disables the fallback.</summary>
    public float TemperatureIncrement { get; init; } = 0.2f;

    /// <summary>Text that conditions the decoder (vocabulary bias), e.g. the rubric's key phrases.</summary>
    public string? InitialPrompt { get; init; }

    /// <summary>Per-token start/end times (costs a little; needed for word-level evidence).</summary>
    public bool TokenTimestamps { get; init; } = true;

    /// <summary>Encoder context in 20 ms frames; 0 (default) is Whisper's full 30 s window. Smaller values make
    /// clips shorter than 30 s cheaper to encode at some cost in accuracy (Whisper was trained on full windows).</summary>
    public int AudioContext { get; init; }

    /// <summary>Do not condition each window on the previous window's text. On for call audio: it stops one
    /// hallucination from seeding the next (Whisper's best-known repetition loop).</summary>
    public bool NoContext { get; init; } = true;
}

/// <summary>What the engine heard in one call to <see cref="ISpeechRecognizer.Recognize"/>.</summary>
public sealed record RecognitionResult(string Language, IReadOnlyList<RecognizedSegment> Segments);

/// <summary>One segment as the engine produced it, before any call-level guard. Times in seconds.</summary>
public sealed record RecognizedSegment(
    double Start,
    double End,
    string Text,
    IReadOnlyList<RecognizedToken> Tokens,
    double NoSpeechProbability);

/// <summary>One text token (special and timestamp tokens are dropped). Multi-token characters (a Chinese
/// character split over byte-level tokens) are joined into one entry with the lowest probability.</summary>
public sealed record RecognizedToken(string Text, double Start, double End, double Probability);

/// <summary>The speech engine could not run (library missing, model unusable, decoding failed).</summary>
public class SpeechEngineException(string message) : Exception(message);

/// <summary>The model file is missing, not a Whisper ggml model, or whisper.cpp refused it.</summary>
public sealed class SpeechModelException(string message) : SpeechEngineException(message);
