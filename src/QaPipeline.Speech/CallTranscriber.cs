using QaPipeline.Scoring;
using System.Diagnostics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.TextNormalization;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Speech;

/// <summary>How a call is transcribed. Defaults suit a Mandarin call centre on a CPU server.</summary>
public sealed record CallTranscriptionOptions
{
    /// <summary>"zh", "en", or "auto" (detected on the first batch, then held for the whole call so that
    /// the two channels cannot come out in different languages).</summary>
    public string Language { get; init; } = "zh";

    public AgentChannel AgentChannel { get; init; } = AgentChannel.Left;

    public int Threads { get; init; } = Math.Min(4, Environment.ProcessorCount);

    public int BeamSize { get; init; } = 5;

    /// <summary>The rubric's key phrases, most important first; passed to Whisper as its initial prompt.</summary>
    public IReadOnlyList<string> KeyPhrases { get; init; } = [];

    /// <summary>Recognise only voice-active regions (the point of this class). Off: whole channels, as
    /// whisper-cli would; kept for benchmarks and for debugging a VAD miss.</summary>
    public bool VoiceActivityGating { get; init; } = true;

    /// <summary>Regions closer than this are one utterance (a breath or a short hesitation inside it).</summary>
    public double MergeGapSeconds { get; init; } = 0.6;

    /// <summary>Extra audio on each side of a region (on top of the segmenter's 30 ms): the VAD decides a little
    /// late and early, and Whisper drops a clipped first syllable. Every 0.1 s here costs about 3 % more
    /// Whisper windows on a call of short turns.</summary>
    public double PadSeconds { get; init; } = 0.1;

    /// <summary>The speaker turns that speaker separation found on a mono recording (the <c>separation.turns</c> of
    /// <c>qa analyze</c>). When given, the recording is transcribed turn by turn on its first channel, each role's
    /// turns apart, so every segment carries the role and the turn's role confidence, instead of one mixed
    /// speaker.</summary>
    public IReadOnlyList<QaPipeline.Scoring.Acoustics.RoleTurn>? SpeakerTurns { get; init; }

    /// <summary>Recordings up to this long are decoded into memory once; longer ones are streamed through the
    /// VAD and only the voiced ranges are decoded again, so a 3-hour call runs in bounded memory.</summary>
    public double InMemorySeconds { get; init; } = 1800;

    /// <summary>Keep per-token times and probabilities in the transcript (evidence at word level).</summary>
    public bool KeepTokens { get; init; } = true;

    /// <summary>Progress and guard summaries (stderr in the CLI).</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Transcribes a call recording the call-centre way: each channel separately (the channel is the speaker:
/// agent or customer; a mono recording is one mixed speaker), only over the regions where Silero VAD hears
/// a voice (silence costs encoder time and is where Whisper invents text), joined into one stream per channel,
/// guarded against Whisper's failure modes, normalised to simplified Chinese, and merged into one
/// time-ordered <see cref="Transcript"/>.
/// </summary>
public sealed class CallTranscriber(ISpeechRecognizer recognizer, AudioDecoder decoder, SileroVad vad)
{
    public HallucinationGuard Guard { get; init; } = new();

    public Transcript Transcribe(string audioPath, CallTranscriptionOptions options, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var probe = decoder.Probe(audioPath, cancellationToken);
        var stereo = probe.Channels >= 2;
        if (probe.Channels > 2)
            options.Log?.Invoke($"transcribe: {probe.Channels} channels; using the first two as agent/customer");

        // Audio source: the whole call in memory when it is short enough, else ranges decoded on demand.
        DecodedAudio? inMemory = null;
        IReadOnlyList<SpeechSegment>[] speech;
        double duration;
        if (probe.DurationSeconds is { } d && d <= options.InMemorySeconds)
        {
            inMemory = decoder.DecodeToMemory(audioPath, options.InMemorySeconds, cancellationToken);
            duration = inMemory.DurationSeconds;
            speech = options.VoiceActivityGating
                ? vad.DetectSpeech([new AudioChunk(0, inMemory.Channels.Take(stereo ? 2 : 1).ToArray())], cancellationToken)
                : [];
        }
        else
        {
            long samples = 0;
            var chunks = decoder.Decode(audioPath, cancellationToken).Select(c =>
            {
                samples += c.Length;
                return stereo && c.ChannelCount > 2 ? new AudioChunk(c.StartSample, c.Channels[..2]) : c;
            });
            speech = options.VoiceActivityGating
                ? vad.DetectSpeech(chunks, cancellationToken)
                : [];
            if (!options.VoiceActivityGating) foreach (var _ in chunks) { }
            duration = samples / (double)AudioDecoder.SampleRate;
        }

        var turns = options.SpeakerTurns is { Count: > 0 } given ? given : null;
        var channels = turns is not null
            // Separated mono (or duplicated-mono stereo): both roles come from the first channel, turn by turn.
            ? new[] { (Index: 0, Role: SpeakerRole.Agent), (Index: 0, Role: SpeakerRole.Customer) }
            : stereo && options.AgentChannel != AgentChannel.Mono
            ? options.AgentChannel == AgentChannel.Left
                ? new[] { (Index: 0, Role: SpeakerRole.Agent), (Index: 1, Role: SpeakerRole.Customer) }
                : [(Index: 1, Role: SpeakerRole.Agent), (Index: 0, Role: SpeakerRole.Customer)]
            : [(Index: 0, Role: SpeakerRole.Mixed)];

        var prompt = InitialPrompt.Build(options.KeyPhrases, recognizer.CountTokens, recognizer.MaxPromptTokens - 1);
        if (prompt is not null)
            options.Log?.Invoke($"transcribe: initial prompt of {recognizer.CountTokens(prompt)} tokens from {options.KeyPhrases.Count} key phrases: {prompt}");
        var language = options.Language;
        var whisper = TimeSpan.Zero;
        var recognisedSeconds = 0.0;
        var tally = new SegmentAssembly.GuardTally();
        var perChannel = new List<List<TranscriptSegment>>();
        foreach (var (index, role) in channels)
        {
            var regions = turns is not null
                // One role's turns, never merged or padded across the other role's speech in between.
                ? RecognitionBatch.Merge(turns.Where(t => t.Speaker == Name(role)).Select(t => new VoicedRegion(t.Start, t.End)), 0, 0, duration)
                : options.VoiceActivityGating
                ? RecognitionBatch.Merge(speech.Length > index ? speech[index].Select(s => new VoicedRegion(s.Start, s.End)) : [],
                    options.MergeGapSeconds, options.PadSeconds, duration)
                : WholeChannel(duration);
            var batches = options.VoiceActivityGating || turns is not null ? RecognitionBatch.Plan(regions) : regions.Select(r =>
                new RecognitionBatch([new BatchPiece(r.Start, r.End, 0)])).ToList();
            options.Log?.Invoke($"transcribe: {role.Word()} channel: {regions.Sum(r => r.Duration):0.0} s of speech in {regions.Count} regions, {batches.Count} batches");
            var segments = new List<TranscriptSegment>();
            foreach (var batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var audio = BatchAudio(batch, index, inMemory, audioPath, cancellationToken);
                var started = Stopwatch.GetTimestamp();
                var result = recognizer.Recognize(audio, new RecognitionOptions
                {
                    Language = language,
                    Threads = options.Threads,
                    BeamSize = options.BeamSize,
                    InitialPrompt = prompt,
                    TokenTimestamps = true,
                }, cancellationToken);
                whisper += Stopwatch.GetElapsedTime(started);
                recognisedSeconds += audio.Length / (double)AudioDecoder.SampleRate;
                if (language == "auto") language = result.Language;
                var normalize = IsChinese(language) ? SpeechText.ToSimplified : (Func<string, string>)(s => s);
                segments.AddRange(SegmentAssembly.ToSegments(batch, result, role, Guard, normalize, tally, options.KeepTokens));
            }
            perChannel.Add(turns is null ? segments : segments.Select(s => s with { RoleConfidence = RoleConfidence(s, turns) }).ToList());
        }

        var merged = SegmentAssembly.MergeChannels(perChannel);
        options.Log?.Invoke($"transcribe: {merged.Count} segments; guard: {tally}; whisper {whisper.TotalSeconds:0.0} s of {total.Elapsed.TotalSeconds:0.0} s");
        return new Transcript(merged, TranscriptSource.Whisper, language == "auto" ? null : language,
            Path.GetFileNameWithoutExtension(audioPath), Math.Round(duration, 3),
            new TranscriptionInfo(recognizer.ModelName, total.Elapsed.TotalSeconds, whisper.TotalSeconds, recognisedSeconds));
    }

    /// <summary>The batch's pieces of one channel, joined with <see cref="RecognitionBatch.JoinSilenceSeconds"/>
    /// of silence, as 16 kHz samples.</summary>
    private float[] BatchAudio(RecognitionBatch batch, int channel, DecodedAudio? inMemory, string path, CancellationToken ct)
    {
        const int rate = AudioDecoder.SampleRate;
        var buffer = new float[(int)Math.Ceiling(batch.Duration * rate) + 1];
        float[]? span = null;
        var spanStart = batch.Pieces[0].CallStart;
        if (inMemory is null)
        {
            // Streamed recording: decode once the stretch of the call this batch covers.
            span = decoder.DecodeRange(path, channel, spanStart, batch.Pieces[^1].CallEnd - spanStart, ct);
        }
        var written = 0;
        foreach (var piece in batch.Pieces)
        {
            var at = (int)Math.Round(piece.BatchStart * rate);
            ReadOnlySpan<float> source = inMemory is not null
                ? inMemory.Slice(channel, piece.CallStart, piece.CallEnd).Span
                : Clip(span!, (int)Math.Round((piece.CallStart - spanStart) * rate), (int)Math.Round(piece.Duration * rate));
            var n = Math.Min(source.Length, buffer.Length - at);
            if (n <= 0) continue;
            source[..n].CopyTo(buffer.AsSpan(at));
            written = Math.Max(written, at + n);
        }
        return written == buffer.Length ? buffer : buffer[..written];
    }

    private static ReadOnlySpan<float> Clip(float[] samples, int from, int count)
    {
        from = Math.Clamp(from, 0, samples.Length);
        return samples.AsSpan(from, Math.Clamp(count, 0, samples.Length - from));
    }

    /// <summary>Without gating, a channel is recognised whole, like whisper-cli does, in 10-minute spans so a
    /// long streamed call never needs the whole channel in memory.</summary>
    private static List<VoicedRegion> WholeChannel(double duration)
    {
        const double span = 600;
        var regions = new List<VoicedRegion>();
        for (var t = 0.0; t < duration; t += span) regions.Add(new VoicedRegion(t, Math.Min(duration, t + span)));
        return regions;
    }

    private static string Name(SpeakerRole role) => role == SpeakerRole.Agent ? "agent" : "customer";

    /// <summary>The role confidence of the separated turn a segment overlaps most.</summary>
    private static double? RoleConfidence(TranscriptSegment segment, IReadOnlyList<QaPipeline.Scoring.Acoustics.RoleTurn> turns)
    {
        var (start, end) = (segment.Start ?? 0, segment.End ?? 0);
        var best = turns.Where(t => t.Speaker == Name(segment.Speaker))
            .MaxBy(t => Math.Min(end, t.End) - Math.Max(start, t.Start));
        return best?.Confidence;
    }

    private static bool IsChinese(string language) => language is "zh" or "yue";
}
