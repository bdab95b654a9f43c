using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>The scorecard JSON of the CLI contract (<c>qa score</c>); also what the pipeline stores.</summary>
public static class ScorecardJson
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static string Write(Scorecard card, bool indented = false, string? callId = null)
    {
        var root = new JsonObject();
        if (callId is not null) root["call_id"] = callId;
        root["rubric"] = card.RubricId;
        root["rubric_version"] = card.RubricVersion;
        root["score"] = card.Score;
        root["max_score"] = card.MaxScore;
        root["pass_score"] = card.PassScore;
        root["passed"] = card.Passed;
        root["fatal"] = card.Fatal;
        root["items"] = new JsonArray(card.Items.Select(Item).ToArray<JsonNode?>());
        root["flags"] = new JsonArray(card.Flags.Select(f => (JsonNode?)f).ToArray());
        root["call_reasons"] = new JsonArray(card.CallReasons.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.Id,
            ["name"] = r.Name,
            ["evidence"] = new JsonArray(EvidenceNode(r.Evidence)),
        }).ToArray());
        return root.ToJsonString(indented ? Indented : Compact);
    }

    /// <summary>
    /// Reads back what <see cref="Write"/> produced (the stored scorecard), so later readers (the review-priority
    /// model's features) see the scorer's own records rather than a second schema. <see cref="Scorecard.Passed"/> is
    /// derived, and <c>call_id</c> is not part of the scorecard; both are ignored. Throws <see cref="FormatException"/>.
    /// </summary>
    public static Scorecard Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("scorecard: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"scorecard: not valid JSON ({e.Message})");
        }
        var items = (root["items"] as JsonArray ?? throw new FormatException("scorecard: 'items' missing"))
            .Select(n => ParseItem(n as JsonObject ?? throw new FormatException("scorecard: an item is not an object"))).ToList();
        var flags = (root["flags"] as JsonArray)?.Select(f => f!.GetValue<string>()).ToList() ?? [];
        // Scorecards stored before call reasons existed have none.
        var reasons = (root["call_reasons"] as JsonArray ?? []).Select(n =>
        {
            var r = n as JsonObject ?? throw new FormatException("scorecard: a call reason is not an object");
            var evidence = (r["evidence"] as JsonArray ?? []).Select(e => ParseEvidence(e)).FirstOrDefault()
                           ?? throw new FormatException("scorecard: a call reason has no evidence");
            return new DetectedReason(Str(r, "id"), Str(r, "name"), evidence);
        }).ToList();
        return new Scorecard(Str(root, "rubric"), Str(root, "rubric_version"), Num(root, "score"), Num(root, "max_score"),
            Num(root, "pass_score"), Bool(root, "fatal"), items, flags) { CallReasons = reasons };
    }

    private static ItemVerdict ParseItem(JsonObject o)
    {
        var verdictText = Str(o, "verdict");
        var verdict = Enum.TryParse<Verdict>(verdictText, ignoreCase: true, out var v) && !int.TryParse(verdictText, out _)
            ? v : throw new FormatException($"scorecard: unknown verdict '{verdictText}'");
        var evidence = (o["evidence"] as JsonArray ?? []).Select(ParseEvidence).ToList();
        SearchWindow? window = o["window"] is JsonObject w
            ? new SearchWindow(Speaker(Str(w, "speaker")), (int)Num(w, "first_turn"), (int)Num(w, "last_turn"), OptNum(w, "start"), OptNum(w, "end"))
            : null;
        return new ItemVerdict(Str(o, "id"), Str(o, "category"), verdict, Num(o, "deduction"), Bool(o, "fatal"), Str(o, "reason"),
            evidence, window, OptNum(o, "strength"), OptNum(o, "confidence"));
    }

    private static Evidence ParseEvidence(JsonNode? n)
    {
        var e = n as JsonObject ?? throw new FormatException("scorecard: evidence is not an object");
        return new Evidence(Speaker(Str(e, "speaker")), OptNum(e, "start"), OptNum(e, "end"), Str(e, "text"),
            (int)Num(e, "turn"), e["phrase"]?.GetValue<string>(), OptNum(e, "similarity"), e["words"]?.GetValue<string>());
    }

    private static SpeakerRole Speaker(string text) =>
        Enum.TryParse<SpeakerRole>(text, ignoreCase: true, out var s) && !int.TryParse(text, out _)
            ? s : throw new FormatException($"scorecard: unknown speaker '{text}'");

    private static string Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"scorecard: '{name}' missing or not a string");

    private static double Num(JsonObject o, string name) =>
        OptNum(o, name) ?? throw new FormatException($"scorecard: '{name}' missing");

    private static double? OptNum(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => throw new FormatException($"scorecard: '{name}' is not a number"),
    };

    private static bool Bool(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw new FormatException($"scorecard: '{name}' missing or not true/false");

    private static JsonObject Item(ItemVerdict v)
    {
        var o = new JsonObject
        {
            ["id"] = v.Id,
            ["category"] = v.Category,
            ["verdict"] = v.Verdict.ToString().ToLowerInvariant(),
            ["deduction"] = v.Deduction,
            ["fatal"] = v.Fatal,
            ["reason"] = v.Reason,
            ["evidence"] = new JsonArray(v.Evidence.Select(e => (JsonNode?)EvidenceNode(e)).ToArray()),
        };
        if (v.Window is { } w)
            o["window"] = new JsonObject
            {
                ["speaker"] = w.Speaker.ToString().ToLowerInvariant(),
                ["first_turn"] = w.FirstTurn,
                ["last_turn"] = w.LastTurn,
                ["start"] = w.Start,
                ["end"] = w.End,
            };
        if (v.Strength is not null) o["strength"] = v.Strength;
        if (v.Confidence is not null) o["confidence"] = v.Confidence;
        return o;
    }

    private static JsonObject EvidenceNode(Evidence e)
    {
        var ev = new JsonObject
        {
            ["speaker"] = e.Speaker.ToString().ToLowerInvariant(),
            ["start"] = e.Start,
            ["end"] = e.End,
            ["text"] = e.Text,
            ["turn"] = e.Turn,
        };
        if (e.Phrase is not null) ev["phrase"] = e.Phrase;
        if (e.Similarity is not null) ev["similarity"] = e.Similarity;
        if (e.Words is not null) ev["words"] = e.Words;
        return ev;
    }
}
