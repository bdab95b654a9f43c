using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Speech;

/// <summary>
/// Turns what the recogniser returned for one batch into transcript segments in call time: maps times back
/// through the batch's pieces, splits a segment that Whisper ran across two voiced regions (they may be
/// twenty seconds apart in the call, with the other party talking in between), applies the hallucination
/// guard, normalises the script, and computes confidence. Then merges the channels into one time-ordered list.
/// </summary>
public static class SegmentAssembly
{
    /// <summary>Counts of what the guard removed, for the transcriber's log line.</summary>
    public sealed class GuardTally
    {
        public Dictionary<string, int> Dropped { get; } = new(StringComparer.Ordinal);
        public int Changed { get; set; }

        public void Drop(string reason) => Dropped[reason] = Dropped.GetValueOrDefault(reason) + 1;

        public override string ToString()
        {
            var parts = Dropped.OrderBy(d => d.Key).Select(d => $"{d.Value} {d.Key}").ToList();
            if (Changed > 0) parts.Add($"{Changed} cleaned");
            return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
        }
    }

    public static List<TranscriptSegment> ToSegments(RecognitionBatch batch, RecognitionResult result, SpeakerRole speaker,
        HallucinationGuard guard, Func<string, string> normalizeText, GuardTally? tally = null, bool keepTokens = true)
    {
        var segments = new List<TranscriptSegment>();
        string? previous = null;
        foreach (var seg in result.Segments)
        {
            foreach (var part in SplitAtPieces(batch, seg))
            {
                var confidence = Confidence(part.Tokens);
                var verdict = guard.Check(part.Text, confidence ?? 1.0, seg.NoSpeechProbability);
                if (!verdict.Keep)
                {
                    tally?.Drop(verdict.Reason ?? "dropped");
                    continue;
                }
                var text = normalizeText(verdict.Text);
                if (HallucinationGuard.RepeatsPrevious(text, previous))
                {
                    tally?.Drop("repeated segment");
                    continue;
                }
                if (verdict.Reason is not null) tally!.Changed++;
                previous = text;
                var start = batch.ToCallTime(part.Start, preferNext: true);
                var end = Math.Max(start, batch.ToCallTime(part.End, preferNext: false));
                IReadOnlyList<TranscriptToken>? tokens = null;
                if (keepTokens && part.Tokens.Count > 0)
                    tokens = part.Tokens.Select(t => new TranscriptToken(normalizeText(t.Text),
                        batch.ToCallTime(t.Start, true), Math.Max(batch.ToCallTime(t.Start, true), batch.ToCallTime(t.End, false)),
                        t.Probability)).ToList();
                segments.Add(new TranscriptSegment(speaker, start, end, text,
                    confidence is null ? null : Math.Clamp(confidence.Value * verdict.ConfidenceFactor, 0, 1), tokens));
            }
        }
        return segments;
    }

    /// <summary>Geometric mean of the token probabilities (exp of the mean log-probability, the quantity
    /// Whisper's own fallback rule thresholds); null when the engine gave no tokens.</summary>
    public static double? Confidence(IReadOnlyList<RecognizedToken> tokens)
    {
        if (tokens.Count == 0) return null;
        var sum = 0.0;
        foreach (var t in tokens) sum += Math.Log(Math.Max(t.Probability, 1e-6));
        return Math.Exp(sum / tokens.Count);
    }

    /// <summary>One time-ordered transcript from the channels' segments (start, then end, then agent first).</summary>
    public static List<TranscriptSegment> MergeChannels(IEnumerable<IEnumerable<TranscriptSegment>> channels) =>
        channels.SelectMany(c => c)
            .OrderBy(s => s.Start ?? double.MaxValue)
            .ThenBy(s => s.End ?? double.MaxValue)
            .ThenBy(s => s.Speaker)
            .ToList();

    internal sealed record Part(double Start, double End, string Text, IReadOnlyList<RecognizedToken> Tokens);

    /// <summary>A segment inside one piece stays whole; one that spans pieces is cut where its tokens cross
    /// from one piece to the next (token times come from Whisper's timestamp tokens).</summary>
    internal static IEnumerable<Part> SplitAtPieces(RecognitionBatch batch, RecognizedSegment seg)
    {
        var first = batch.PieceAt(seg.Start, preferNext: true);
        var last = batch.PieceAt(seg.End, preferNext: false);
        if (first >= last || seg.Tokens.Count == 0)
        {
            yield return new Part(seg.Start, seg.End, seg.Text, seg.Tokens);
            yield break;
        }
        var groups = seg.Tokens
            .GroupBy(t => Math.Clamp(batch.PieceAt((t.Start + t.End) / 2, preferNext: true), first, last))
            .OrderBy(g => g.Key);
        foreach (var g in groups)
        {
            var tokens = g.ToList();
            var piece = batch.Pieces[g.Key];
            var text = string.Concat(tokens.Select(t => t.Text)).Trim();
            var start = Math.Max(tokens[0].Start, piece.BatchStart);
            var end = Math.Min(Math.Max(tokens[^1].End, start), piece.BatchEnd);
            yield return new Part(start, Math.Max(start, end), text, tokens);
        }
    }
}
