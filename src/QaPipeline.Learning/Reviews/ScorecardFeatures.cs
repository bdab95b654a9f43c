using QaPipeline.Scoring;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Learning.Reviews;

/// <summary>
/// Reads the model's features off what the pipeline already produced for a call: the scorecard item (verdict,
/// match strength, ASR confidence of the deciding words, evidence times), the acoustic facts and the agent's history.
/// </summary>
public static class ScorecardFeatures
{
    public static VerdictFeatures For(Scorecard card, ItemVerdict item, Transcript? transcript, AcousticFacts? facts, double agentDisagreementRate)
    {
        var duration = facts?.DurationSeconds ?? transcript?.DurationSeconds ?? transcript?.Segments.Select(s => s.End ?? 0).DefaultIfEmpty(0).Max() ?? 0;
        var at = item.Evidence.Select(e => e.Start).FirstOrDefault(s => s is not null) ?? item.Window?.Start;
        // Untimed transcripts: fall back to the evidence's turn index over the number of turns.
        var position = at is { } seconds && duration > 0
            ? seconds / duration
            : item.Evidence.Count > 0 && transcript is { Segments.Count: > 0 } t ? (double)item.Evidence[0].Turn / t.Segments.Count : 0.5;
        return new VerdictFeatures(
            item.Id,
            item.Verdict.Word(),
            item.Strength ?? 0,
            item.Confidence ?? 1,
            Math.Clamp(position, 0, 1),
            facts?.Overlaps.Count ?? 0,
            facts?.Silences.Select(s => s.Duration).DefaultIfEmpty(0).Max() ?? 0,
            agentDisagreementRate,
            card.RubricVersion);
    }
}
