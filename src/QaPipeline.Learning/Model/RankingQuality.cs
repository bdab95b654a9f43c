namespace QaPipeline.Learning.Model;

/// <summary>
/// How well an ordering of the review queue surfaces the verdicts humans overturn. All measures are computed here
/// rather than by ML.NET's evaluator so the learned model, the rule-based priority and random order are measured the
/// same way, and so a held-out set with a single class yields null instead of an exception.
/// </summary>
public static class RankingQuality
{
    /// <summary>
    /// Area under the ROC curve as the Mann–Whitney probability that a random overturned verdict is ranked above a
    /// random confirmed one (ties count half). Null when either class is absent.
    /// </summary>
    public static double? Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var average = (i + j) / 2.0 + 1;
            for (var t = i; t <= j; t++) ranks[order[t]] = average;
            i = j + 1;
        }
        long positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var rankSum = 0.0;
        for (var i = 0; i < labels.Count; i++) if (labels[i]) rankSum += ranks[i];
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Share of all overturned verdicts found in the first <paramref name="fraction"/> of the queue (recall at depth). Null without any.</summary>
    public static double? FoundInFirst(IReadOnlyList<bool> labelsInQueueOrder, double fraction)
    {
        var total = labelsInQueueOrder.Count(l => l);
        if (total == 0) return null;
        var depth = (int)Math.Ceiling(labelsInQueueOrder.Count * fraction);
        return (double)labelsInQueueOrder.Take(depth).Count(l => l) / total;
    }

    /// <summary>Share of the queue a reviewer must work through to find half of the overturned verdicts. Null without any.</summary>
    public static double? DepthToFindHalf(IReadOnlyList<bool> labelsInQueueOrder)
    {
        var total = labelsInQueueOrder.Count(l => l);
        if (total == 0) return null;
        var found = 0;
        for (var i = 0; i < labelsInQueueOrder.Count; i++)
            if (labelsInQueueOrder[i] && ++found * 2 >= total) return (i + 1.0) / labelsInQueueOrder.Count;
        return 1.0;
    }

    /// <summary>
    /// Precision at the queue's daily capacity: each day's verdicts are ranked, the top <paramref name="capacity"/> are
    /// "reviewed", and the share of those that humans overturn is averaged over days. This is what a review team gets
    /// out of a day's work.
    /// </summary>
    public static double? PrecisionAtDailyCapacity(IReadOnlyList<(DateOnly Day, double Score, bool Label)> verdicts, int capacity)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        var days = verdicts.GroupBy(v => v.Day).ToList();
        if (days.Count == 0) return null;
        return days.Average(d =>
        {
            var top = d.OrderByDescending(v => v.Score).Take(capacity).ToList();
            return (double)top.Count(v => v.Label) / top.Count;
        });
    }
}
