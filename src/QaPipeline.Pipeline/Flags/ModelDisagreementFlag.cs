using System.Globalization;
using QaPipeline.Centre.Review;
using QaPipeline.Learning.Ranking;
using QaPipeline.Learning.Reviews;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Review;

namespace QaPipeline.Pipeline.Flags;

/// <summary>
/// Flags a call beyond the random sample when the promoted review-priority model predicts that a reviewer would
/// overturn one of its automatic verdicts with probability at or above <c>LearningOptions.FlagThreshold</c>.
/// Nothing happens while no model is in service: the rule-based flags and the sample cover the call then.
/// </summary>
public sealed class ModelDisagreementFlag(ReviewPriority priority, ResultRepository results, ReviewHistory history)
{
    public async Task<ReviewFlag?> Decide(CallRecord call, Scorecard card, TranscriptRecord? stored, CancellationToken ct)
    {
        if (!priority.HasPromotedModel) return null;
        var transcript = stored is null ? null : TranscriptFormat.Parse(stored.Json);
        var facts = await results.AcousticFactsJson(call.Id, ct) is { } f ? AcousticFactsJson.Parse(f) : null;
        var rate = (await history.AgentDisagreementRates(ct)).For(call.AgentId);
        var features = card.Items.Select(i => ScorecardFeatures.For(card, i, transcript, facts, rate)).ToList();
        if (priority.PredictWithPromotedModel(features) is not { } predicted) return null;
        var worst = Enumerable.Range(0, features.Count).DefaultIfEmpty(-1).MaxBy(i => i < 0 ? 0 : predicted.Probabilities[i]);
        if (worst < 0 || predicted.Probabilities[worst] < priority.Options.FlagThreshold) return null;
        return new ReviewFlag(FlagReason.ModelDisagreement, string.Create(CultureInfo.InvariantCulture,
            $"{features[worst].ItemId}: predicted overturn {predicted.Probabilities[worst]:0.00} (model {predicted.Version})"));
    }
}
