using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                   ?? throw new FormatException("transcript JSON must be an object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"transcript is malformed JSON ({e.Message.Split('\n')[0]})");
        }
        if (root["segments"] is not JsonArray array)
            throw new FormatException("transcript JSON has no 'segments' array");
        var segments = new List<TranscriptSegment>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var where = $"transcript segments[{i}]";
            if (array[i] is not JsonObject seg) throw new FormatException($"{where} must be an object");
            var speaker = Str(seg["speaker"]) switch
            {
                "agent" => SpeakerRole.Agent,
                "customer" => SpeakerRole.Customer,
                "mixed" => SpeakerRole.Mixed,
                var other => throw new FormatException($"{where}.speaker must be agent, customer or mixed (got '{other}')"),
            };
            var start = Num(seg["start"], $"{where}.start");
            var end = Num(seg["end"], $"{where}.end");
            if (start is not null && end is not null && (start < 0 || end < start))
                throw new FormatException($"{where}: start and end must satisfy 0 <= start <= end");
            var confidence = Num(seg["confidence"], $"{where}.confidence");
            if (confidence is < 0 or > 1)
                throw new FormatException($"{where}.confidence must be between 0 and 1");
            var roleConfidence = Num(seg["role_confidence"], $"{where}.role_confidence");
            if (roleConfidence is < 0 or > 1)
                throw new FormatException($"{where}.role_confidence must be between 0 and 1");
            List<TranscriptToken>? tokens = null;
            if (seg["tokens"] is JsonArray tokArray)
            {
                tokens = [];
                foreach (var t in tokArray)
                    tokens.Add(new TranscriptToken(Str(t?["text"]) ?? "", Num(t?["start"], $"{where}.tokens.start"),
                        Num(t?["end"], $"{where}.tokens.end"), Num(t?["p"], $"{where}.tokens.p") ?? 1.0));
            }
            segments.Add(new TranscriptSegment(speaker, start, end,
                Str(seg["text"]) ?? throw new FormatException($"{where}.text is missing"), confidence, tokens, roleConfidence));
        }
        var source = Str(root["source"]) switch
        {
            null or "imported" => TranscriptSource.Imported,
            "whisper" => TranscriptSource.Whisper,
            var other => throw new FormatException($"transcript source must be whisper or imported (got '{other}')"),
        };
        TranscriptionInfo? info = null;
        if (root["model"] is not null || root["timing"] is not null)
        {
            info = new TranscriptionInfo(Str(root["model"]), Num(root["timing"]?["total_s"], "timing.total_s"),
                Num(root["timing"]?["whisper_s"], "timing.whisper_s"), Num(root["timing"]?["audio_s"], "timing.audio_s"));
        }
        return new Transcript(segments, source, Str(root["language"]), Str(root["call_id"]),
            Num(root["duration_s"], "duration_s"), info);
    }

    public static string ToJson(Transcript t, bool indented = false)
    {
        var segs = new JsonArray();
        foreach (var s in t.Segments)
        {
            var o = new JsonObject
            {
                ["speaker"] = s.Speaker.ToString().ToLowerInvariant(),
                ["start"] = R(s.Start),
                ["end"] = R(s.End),
                ["text"] = s.Text,
            };
            if (s.Confidence is not null) o["confidence"] = R(s.Confidence);
            if (s.RoleConfidence is not null) o["role_confidence"] = R(s.RoleConfidence);
            if (s.Tokens is not null)
                o["tokens"] = new JsonArray(s.Tokens.Select(k => (JsonNode)new JsonObject
                    { ["text"] = k.Text, ["start"] = R(k.Start), ["end"] = R(k.End), ["p"] = R(k.Probability) }).ToArray());
            segs.Add(o);
        }
        var root = new JsonObject
        {
            ["call_id"] = t.CallId,
            ["source"] = t.Source.ToString().ToLowerInvariant(),
            ["language"] = t.Language,
            ["duration_s"] = R(t.DurationSeconds),
        };
        if (t.Transcription is { } info)
        {
            root["model"] = info.Model;
            root["timing"] = new JsonObject
            {
                ["total_s"] = R(info.TotalSeconds), ["whisper_s"] = R(info.WhisperSeconds), ["audio_s"] = R(info.AudioSeconds),
            };
        }
        root["segments"] = segs;
        return root.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    private static double? R(double? v) => v is null ? null : Math.Round(v.Value, 3);

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Num(JsonNode? n, string field)
    {
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d)) return d;
        throw new FormatException($"{field} must be a number");
    }
}
