using QaPipeline.Speech.Whisper;
using Whisper.net;

namespace QaPipeline.Speech.Tests;

/// <summary>
/// The speech engine as a trained model would behave on the test calls, for tests of everything after the engine
/// (time mapping, per-channel speakers, guard, script normalisation, confidence). The weightless test models
/// recognise nothing, and Whisper.net has no hook to steer their decoder, so:
/// the real Whisper.net recogniser runs on exactly the audio it is given (real encoder windows, real language
/// detection for "auto"), and its empty output is replaced by a recorded token stream: the reference transcript
/// of the clip spoken in that batch (one per call, in order), as tokens of the real vocabulary with centisecond
/// timestamps. The transcript is shared out over the voiced stretches of the audio received (found by energy,
/// as a trained Whisper places its timestamps), one segment per stretch, and each goes through the same
/// Whisper.net-to-product mapping as a real run (<see cref="WhisperRecognizer.ToSegment"/>).
/// </summary>
public sealed class RecordedSpeechRecognizer(WhisperRecognizer engine, WhisperVocabulary vocabulary, IReadOnlyList<string> transcripts) : ISpeechRecognizer
{
    private int _next;

    public string ModelName => engine.ModelName;
    public int MaxPromptTokens => engine.MaxPromptTokens;
    public int CountTokens(string text) => engine.CountTokens(text);
    public (string Language, double Probability) DetectLanguage(ReadOnlySpan<float> samples, int threads) => engine.DetectLanguage(samples, threads);

    /// <summary>What the engine was asked, one entry per call (for assertions on batching).</summary>
    public List<(double Seconds, RecognitionOptions Options)> Calls { get; } = [];

    public RecognitionResult Recognize(ReadOnlyMemory<float> samples, RecognitionOptions options, CancellationToken cancellationToken = default)
    {
        var real = engine.Recognize(samples, options, cancellationToken);
        Calls.Add((samples.Length / 16000.0, options));
        var language = options.Language == "auto" ? engine.DetectLanguage(samples.Span, options.Threads).Language : real.Language;
        var seconds = samples.Length / 16000.0;
        var segments = new List<RecognizedSegment>();
        var stretches = VoicedStretches(samples.Span);
        var transcript = transcripts[_next++ % transcripts.Count];
        var voiced = stretches.Sum(s => s.End - s.Start);
        var used = 0.0;
        var taken = 0;
        foreach (var (start, end) in stretches)
        {
            // Characters in proportion to the stretch's share of the speech; the last stretch takes the rest.
            used += end - start;
            var upTo = used >= voiced - 1e-9 ? transcript.Length : (int)Math.Round(transcript.Length * used / voiced);
            if (upTo <= taken) continue;
            segments.Add(WhisperRecognizer.ToSegment(Recorded(transcript[taken..upTo], start, end, language), vocabulary, seconds));
            taken = upTo;
        }
        return new RecognitionResult(language, segments);
    }

    /// <summary>A Whisper.net segment as a trained model reports it: [_BEG_], the text tokens spread evenly over the
    /// stretch (centisecond times), [_EOT_]; token probabilities high but not all equal.</summary>
    private SegmentData Recorded(string text, double start, double end, string language)
    {
        var ids = vocabulary.Tokenize(text);
        var tokens = new List<WhisperToken> { new() { Id = vocabulary.EndOfText + 2, Start = (long)(start * 100), End = (long)(start * 100), Probability = 1 } };
        var step = (end - start) / Math.Max(1, ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            tokens.Add(new WhisperToken
            {
                Id = ids[i],
                Text = "\uFFFD", // what Whisper.net hands back for a byte-level piece of a character
                Start = (long)Math.Round((start + i * step) * 100),
                End = (long)Math.Round((start + (i + 1) * step) * 100),
                Probability = 0.9f - 0.1f * (i % 3),
            });
        }
        tokens.Add(new WhisperToken { Id = vocabulary.EndOfText, Start = (long)(end * 100), End = (long)(end * 100), Probability = 1 });
        return new SegmentData(text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end), 0.6f, 0.9f, 0.8f, 0.01f, language, tokens.ToArray());
    }

    /// <summary>Stretches whose 20 ms frames carry energy (RMS above -40 dBFS), joined across gaps under 0.3 s.</summary>
    internal static List<(double Start, double End)> VoicedStretches(ReadOnlySpan<float> samples)
    {
        const int frame = 320;
        var stretches = new List<(double Start, double End)>();
        for (var f = 0; f + frame <= samples.Length; f += frame)
        {
            double sum = 0;
            foreach (var s in samples.Slice(f, frame)) sum += s * s;
            if (Math.Sqrt(sum / frame) < 0.01) continue;
            double t0 = f / 16000.0, t1 = (f + frame) / 16000.0;
            if (stretches.Count > 0 && t0 - stretches[^1].End < 0.3) stretches[^1] = (stretches[^1].Start, t1);
            else stretches.Add((t0, t1));
        }
        return stretches.Where(s => s.End - s.Start >= 0.2).ToList();
    }

    public void Dispose() { }
}
