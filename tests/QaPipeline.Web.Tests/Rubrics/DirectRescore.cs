using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Storage;

namespace QaPipeline.Web.Tests.Rubrics;

/// <summary>
/// What a rubric change would do, computed here with the scoring core itself (<see cref="Scorer.Score"/> over each call's
/// stored transcript and facts, compared item by item with its current scorecard) — the figure the impact preview must
/// show, reached without the preview's code.
/// </summary>
public static class DirectRescore
{
    /// <summary>The active rubric with a new version and the opening greeting accepting only 早上好.</summary>
    public static string GreetingOnlyGoodMorning(string active, string version)
    {
        var candidate = Regex.Replace(active, "(?m)^version:.*$", $"version: \"{version}\"");
        var start = candidate.IndexOf("  - id: greeting.opening", StringComparison.Ordinal);
        var phrases = candidate.IndexOf("phrases: [", start, StringComparison.Ordinal);
        return candidate[..phrases] + "phrases: [早上好" + candidate[candidate.IndexOf(']', phrases)..];
    }

    /// <summary>The active rubric with an unknown field under the first item, and the (1-based) line it is on.</summary>
    public static (string Yaml, int Line) WithWrongLine(string active)
    {
        var lines = active.Split('\n').ToList();
        var itemLine = lines.FindIndex(l => l.StartsWith("  - id: greeting.opening", StringComparison.Ordinal));
        lines.Insert(itemLine + 1, "    weight: 5");
        return (string.Join('\n', lines), itemLine + 2);
    }

    /// <summary>Flip counts per (item, "from->to") over every call with a transcript and a current scorecard.</summary>
    public static async Task<Dictionary<(string Item, string Pair), int>> Flips(WebApp app, string candidateYaml)
    {
        var rubric = RubricParser.Parse(candidateYaml, "candidate.yaml");
        var results = app.Services.GetRequiredService<ResultRepository>();
        var flips = new Dictionary<(string, string), int>();
        foreach (var callId in (await results.CallsWithTranscripts(null)).Distinct())
        {
            if (await results.CurrentScorecard(callId) is not { } card) continue;
            var transcript = TranscriptFormat.Parse((await results.Transcript(callId))!.Json);
            var facts = await results.AcousticFactsJson(callId) is { } f ? AcousticFactsJson.Parse(f) : null;
            var before = ScorecardJson.Parse(card.Json).Items.ToDictionary(i => i.Id, i => Word(i.Verdict));
            var after = Scorer.Score(rubric, transcript, facts).Items.ToDictionary(i => i.Id, i => Word(i.Verdict));
            foreach (var id in before.Keys.Union(after.Keys))
            {
                var pair = $"{before.GetValueOrDefault(id, "none")}->{after.GetValueOrDefault(id, "none")}";
                if (before.GetValueOrDefault(id) != after.GetValueOrDefault(id)) flips[(id, pair)] = flips.GetValueOrDefault((id, pair)) + 1;
            }
        }
        return flips;
    }

    private static string Word(Verdict v) => v.ToString().ToLowerInvariant();
}
