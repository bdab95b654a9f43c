using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QaPipeline.Scoring.Acoustics;

/// <summary>Reads and writes the acoustic-facts JSON of the CLI contract (<c>qa analyze</c>).</summary>
public static class AcousticFactsJson
{
    public static string Write(AcousticFacts facts, bool indented = false)
    {
        var speakers = new JsonObject();
        foreach (var (name, activity) in facts.Speakers)
        {
            speakers[name] = new JsonObject
            {
                ["speech_s"] = Round(activity.SpeechSeconds),
                ["segments"] = new JsonArray(activity.Segments
                    .Select(s => (JsonNode)new JsonArray(Round(s.Start), Round(s.End))).ToArray()),
            };
        }
        var root = new JsonObject
        {
            ["duration_s"] = Round(facts.DurationSeconds),
            ["channels"] = facts.Channels,
            ["speakers"] = speakers,
            ["silences"] = new JsonArray(facts.Silences
                .Select(s => (JsonNode)new JsonObject { ["start"] = Round(s.Start), ["end"] = Round(s.End) }).ToArray()),
            ["overlaps"] = new JsonArray(facts.Overlaps
                .Select(o => (JsonNode)new JsonObject { ["start"] = Round(o.Start), ["end"] = Round(o.End), ["by"] = o.By }).ToArray()),
            ["talk_ratio"] = new JsonObject(facts.TalkRatio.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Round(kv.Value)))),
        };
        if (facts.Dynamics is { } dynamics)
        {
            root["dynamics"] = new JsonObject
            {
                ["longest_monologue"] = new JsonObject(dynamics.LongestMonologue.Select(kv => KeyValuePair.Create(kv.Key,
                    (JsonNode?)new JsonObject { ["start"] = Round(kv.Value.Start), ["end"] = Round(kv.Value.End), ["duration_s"] = Round(kv.Value.Duration) }))),
                ["hold_candidates"] = new JsonArray(dynamics.HoldCandidates
                    .Select(s => (JsonNode)new JsonObject { ["start"] = Round(s.Start), ["end"] = Round(s.End) }).ToArray()),
            };
        }
        if (facts.Separation is { } separation) root["separation"] = WriteSeparation(separation);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });
    }

    /// <summary>Parses the contract JSON; throws <see cref="FormatException"/> with a one-line reason.</summary>
    public static AcousticFacts Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("acoustic facts: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"acoustic facts: malformed JSON ({e.Message.Split('\n')[0]})");
        }
        var speakers = new Dictionary<string, SpeakerActivity>();
        if (root["speakers"] is JsonObject sp)
        {
            foreach (var (name, node) in sp)
            {
                var segments = (node?["segments"] as JsonArray ?? [])
                    .Select(seg => seg is JsonArray pair && pair.Count == 2
                        ? new TimeSpanS(Num(pair[0], "segments"), Num(pair[1], "segments"))
                        : throw new FormatException($"acoustic facts: speakers.{name}.segments must hold [start, end] pairs"))
                    .ToList();
                speakers[name] = new SpeakerActivity(OptNum(node?["speech_s"]) ?? segments.Sum(s => s.Duration), segments);
            }
        }
        var silences = (root["silences"] as JsonArray ?? [])
            .Select(n => new TimeSpanS(Num(n?["start"], "silences.start"), Num(n?["end"], "silences.end"))).ToList();
        var overlaps = (root["overlaps"] as JsonArray ?? [])
            .Select(n => new Overlap(Num(n?["start"], "overlaps.start"), Num(n?["end"], "overlaps.end"),
                n?["by"]?.GetValue<string>() ?? throw new FormatException("acoustic facts: overlaps.by is missing"))).ToList();
        var ratio = new Dictionary<string, double>();
        if (root["talk_ratio"] is JsonObject tr)
            foreach (var (k, v) in tr) ratio[k] = Num(v, "talk_ratio");
        CallDynamics? dynamics = null;
        if (root["dynamics"] is JsonObject dyn)
        {
            var monologues = new Dictionary<string, TimeSpanS>();
            if (dyn["longest_monologue"] is JsonObject lm)
                foreach (var (k, v) in lm)
                    monologues[k] = new TimeSpanS(Num(v?["start"], "dynamics.longest_monologue.start"), Num(v?["end"], "dynamics.longest_monologue.end"));
            var holds = (dyn["hold_candidates"] as JsonArray ?? [])
                .Select(n => new TimeSpanS(Num(n?["start"], "dynamics.hold_candidates.start"), Num(n?["end"], "dynamics.hold_candidates.end"))).ToList();
            dynamics = new CallDynamics(monologues, holds);
        }
        return new AcousticFacts(
            Num(root["duration_s"], "duration_s"),
            (int)(OptNum(root["channels"]) ?? 1),
            speakers, silences, overlaps, ratio) { Dynamics = dynamics, Separation = ParseSeparation(root["separation"]) };
    }

    private static JsonObject WriteSeparation(SpeakerSeparationFacts separation)
    {
        var node = new JsonObject { ["method"] = separation.Method };
        if (!separation.Separated)
        {
            node["reason"] = separation.Reason;
            return node;
        }
        node["confidence"] = Round(separation.Confidence ?? 0);
        node["estimated"] = new JsonArray(separation.Estimated.Select(e => (JsonNode)JsonValue.Create(e)).ToArray());
        node["turns"] = new JsonArray(separation.Turns.Select(t => (JsonNode)new JsonObject
        {
            ["start"] = Round(t.Start), ["end"] = Round(t.End), ["speaker"] = t.Speaker, ["confidence"] = Round(t.Confidence),
        }).ToArray());
        return node;
    }

    private static SpeakerSeparationFacts? ParseSeparation(JsonNode? node)
    {
        if (node is not JsonObject sep) return null;
        var method = sep["method"]?.GetValue<string>() ?? throw new FormatException("acoustic facts: separation.method is missing");
        var turns = (sep["turns"] as JsonArray ?? [])
            .Select(t => new RoleTurn(Num(t?["start"], "separation.turns.start"), Num(t?["end"], "separation.turns.end"),
                t?["speaker"]?.GetValue<string>() ?? throw new FormatException("acoustic facts: separation.turns.speaker is missing"),
                Num(t?["confidence"], "separation.turns.confidence")))
            .ToList();
        return new SpeakerSeparationFacts(method, OptNum(sep["confidence"]), sep["reason"]?.GetValue<string>(), turns);
    }

    private static double Round(double v) => Math.Round(v, 3);

    private static double Num(JsonNode? node, string field) =>
        OptNum(node) ?? throw new FormatException($"acoustic facts: field '{field}' must be a number");

    private static double? OptNum(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : node is JsonValue s && s.TryGetValue<string>(out var str) && double.TryParse(str, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p
        : null;
}
