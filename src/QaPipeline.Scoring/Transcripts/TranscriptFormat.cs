using System.Text;
using System.Text.Json.Serialization;
using QaPipeline.Scoring.Contracts;

namespace QaPipeline.Scoring.Transcripts;

/// <summary>
/// Reads a transcript from text, detecting the format from the content: the product's transcript JSON
/// (what <c>qa transcribe</c> writes) or a plain dialogue with one "坐席：/客服：/Agent:" or
/// "客户：/Customer:" turn per line. Writes the JSON form. All errors are <see cref="FormatException"/>
/// with a one-line message.
/// </summary>
public static class TranscriptFormat
{
    /// <summary>Longest transcript accepted. A five-minute call is ~10 KB; anything near this is not a call.</summary>
    public const int MaxChars = 8 * 1024 * 1024;

    private static readonly (string Prefix, SpeakerRole Role)[] PlainPrefixes =
    [
        ("坐席", SpeakerRole.Agent), ("客服", SpeakerRole.Agent), ("agent", SpeakerRole.Agent),
        ("客户", SpeakerRole.Customer), ("customer", SpeakerRole.Customer),
    ];

    /// <summary>Decodes bytes as strict UTF-8 (BOM allowed) and parses them.</summary>
    public static Transcript Parse(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("transcript is not valid UTF-8 text");
        }
        return Parse(text.TrimStart('\uFEFF'));
    }

    public static Transcript Parse(string text)
    {
        if (text.Length > MaxChars)
            throw new FormatException($"transcript is too large ({text.Length:N0} characters; limit {MaxChars:N0})");
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0)
            throw new FormatException("transcript is empty");
        return trimmed[0] == '{' ? ParseJson(trimmed) : ParsePlain(text);
    }

    private static Transcript ParsePlain(string text)
    {
        var segments = new List<TranscriptSegment>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var colon = line.IndexOfAny([':', '：']);
            SpeakerRole? role = null;
            if (colon > 0)
            {
                var label = line[..colon].Trim();
                foreach (var (prefix, r) in PlainPrefixes)
                    if (label.Equals(prefix, StringComparison.OrdinalIgnoreCase)) role = r;
            }
            if (role is null)
                throw new FormatException($"transcript line {lineNo}: expected '坐席：', '客服：', '客户：', 'Agent:' or 'Customer:' before the text");
            segments.Add(new TranscriptSegment(role.Value, null, null, line[(colon + 1)..].Trim()));
        }
        if (segments.Count == 0)
            throw new FormatException("transcript is empty");
        return new Transcript(segments, TranscriptSource.Imported);
    }

    private static Transcript ParseJson(string json)
    {
        var root = ContractJson.Read(json, ContractJson.Transcript, "transcript is malformed JSON", onPath: path =>
            path == "$.segments" ? "transcript JSON has no 'segments' array" : null);
        var array = root.Segments ?? throw new FormatException("transcript JSON has no 'segments' array");
        var segments = new List<TranscriptSegment>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var where = $"transcript segments[{i}]";
            var seg = array[i] ?? throw new FormatException($"{where} must be an object");
            var speaker = seg.Speaker switch
            {
                "agent" => SpeakerRole.Agent,
                "customer" => SpeakerRole.Customer,
                "mixed" => SpeakerRole.Mixed,
                var other => throw new FormatException($"{where}.speaker must be agent, customer or mixed (got '{other}')"),
            };
            var (start, end) = (seg.Start, seg.End);
            if (start is not null && end is not null && (start < 0 || end < start))
                throw new FormatException($"{where}: start and end must satisfy 0 <= start <= end");
            if (seg.Confidence is < 0 or > 1)
                throw new FormatException($"{where}.confidence must be between 0 and 1");
            if (seg.RoleConfidence is < 0 or > 1)
                throw new FormatException($"{where}.role_confidence must be between 0 and 1");
            var tokens = seg.Tokens?.Select(t => new TranscriptToken(t?.Text ?? "", t?.Start, t?.End, t?.P ?? 1.0)).ToList();
            segments.Add(new TranscriptSegment(speaker, start, end,
                seg.Text ?? throw new FormatException($"{where}.text is missing"), seg.Confidence, tokens, seg.RoleConfidence));
        }
        var source = root.Source switch
        {
            null or "imported" => TranscriptSource.Imported,
            "whisper" => TranscriptSource.Whisper,
            var other => throw new FormatException($"transcript source must be whisper or imported (got '{other}')"),
        };
        TranscriptionInfo? info = root.Model is not null || root.Timing is not null
            ? new TranscriptionInfo(root.Model, root.Timing?.TotalS, root.Timing?.WhisperS, root.Timing?.AudioS)
            : null;
        return new Transcript(segments, source, root.Language, root.CallId, root.DurationS, info);
    }

    public static string ToJson(Transcript t, bool indented = false) =>
        ContractJson.Write(new TranscriptDocument(t.CallId, t.Source.Word(), t.Language, R(t.DurationSeconds),
            t.Transcription?.Model, t.Transcription is { } info ? new TimingDocument(R(info.TotalSeconds), R(info.WhisperSeconds), R(info.AudioSeconds)) : null,
            t.Segments.Select(s => (SegmentDocument?)new SegmentDocument(s.Speaker.Word(), R(s.Start), R(s.End), s.Text, R(s.Confidence),
                R(s.RoleConfidence), s.Tokens?.Select(k => (TokenDocument?)new TokenDocument(k.Text, R(k.Start), R(k.End), R(k.Probability))).ToList())).ToList()),
            indented, relaxed: true);

    private static double? R(double? v) => v is null ? null : Math.Round(v.Value, 3);
}

// The transcript contract (what `qa transcribe` prints and the pipeline stores), in its printed order. Numbers must be
// JSON numbers (finite by JSON's grammar); ranges are checked by TranscriptFormat.

internal sealed record TranscriptDocument(
    string? CallId, string? Source, string? Language, double? DurationS,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TimingDocument? Timing,
    IReadOnlyList<SegmentDocument?>? Segments);

internal sealed record TimingDocument(double? TotalS, double? WhisperS, double? AudioS);

internal sealed record SegmentDocument(
    string? Speaker, double? Start, double? End, string? Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Confidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? RoleConfidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TokenDocument?>? Tokens);

internal sealed record TokenDocument(string? Text, double? Start, double? End, double? P);
