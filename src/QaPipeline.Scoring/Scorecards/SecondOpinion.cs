using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>
/// Where the rubric carries a learned second opinion (<see cref="LineOpinion"/>), checks a phrase rule's finding
/// against it line by line. A confident contradiction sends the item to a human with both views named; anything
/// less leaves the phrase rule's verdict as it is — the model never decides an item on its own, because a
/// deduction must be defensible by the words that matched.
/// </summary>
internal static class SecondOpinion
{
    /// <summary>The phrase rule matched <paramref name="matched"/>; the reason the model contradicts it, or null.</summary>
    public static string? Doubts(Rubric rubric, RubricItem item, CallSegment matched)
    {
        if (rubric.Opinion is not { } o || o.Probability(item.Id, matched.Text) is not { } p || p >= o.ReviewBelow) return null;
        return $"but the learned second opinion ({o.Version}) rates that line {LineOpinion.Percent(p)} for this item " +
               $"(below {LineOpinion.Percent(o.ReviewBelow)}): the phrase rule and the model disagree";
    }

    /// <summary>The phrase rule found nothing in <paramref name="searched"/>; the line the model most confidently
    /// says shows the item (above its threshold) and the reason, or null.</summary>
    public static (CallSegment Segment, string Reason)? Sees(Rubric rubric, RubricItem item, IEnumerable<CallSegment> searched)
    {
        if (rubric.Opinion is not { } o || !o.Covers(item.Id)) return null;
        (CallSegment Segment, double P)? best = null;
        foreach (var s in searched)
            if (o.Probability(item.Id, s.Text) is { } p && p > o.ReviewAbove && (best is null || p > best.Value.P)) best = (s, p);
        if (best is not { } b) return null;
        return (b.Segment, $"but the learned second opinion ({o.Version}) rates turn {b.Segment.Turn} " +
                           $"{LineOpinion.Percent(b.P)} for this item (above {LineOpinion.Percent(o.ReviewAbove)}): the phrase rule and the model disagree");
    }
}
