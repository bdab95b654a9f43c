using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

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
        return root.ToJsonString(indented ? Indented : Compact);
    }

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
            ["evidence"] = new JsonArray(v.Evidence.Select(e =>
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
                return (JsonNode?)ev;
            }).ToArray()),
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
}
