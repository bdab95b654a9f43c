using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Reports;

/// <summary>
/// How one rater did on a set of item verdicts. Shares are in 0..1 and null when there was nothing to compare
/// (never NaN). <see cref="WithOtherRaters"/> is the mean share of agreement with each other human monitor on the
/// items both rated; for the automatic scorer "other raters" are all the monitors.
/// </summary>
public sealed record RaterAgreement(
    string Rater,
    bool IsAutomatic,
    int Verdicts,
    double? WithAgreed,
    double? WithOtherRaters,
    double? WithAutomatic);

/// <summary>Agreement on one rubric item across the session's calls. Alphas are Krippendorff's nominal alpha, null when undefined.</summary>
public sealed record ItemAgreement(
    string ItemId,
    double? AlphaAmongMonitors,
    double? AlphaWithAutomatic,
    IReadOnlyList<RaterAgreement> Raters);

/// <summary>A rater's total for one call against the mean of the monitors' totals for that call.</summary>
public sealed record CallDistance(string CallId, double Score, double SessionMean, double Distance, bool WithinTolerance);

/// <summary>How far a rater's totals sit from the session mean; calls outside ±tolerance are the ones to discuss.</summary>
public sealed record RaterTotals(
    string Rater,
    bool IsAutomatic,
    double TotalAbsoluteDistance,
    double MeanAbsoluteDistance,
    int CallsOutsideTolerance,
    IReadOnlyList<CallDistance> Calls);

/// <summary>What a QA lead brings to the calibration meeting: per item, per rater, and per rater's totals.</summary>
public sealed record CalibrationReport(
    string SessionId,
    DateOnly HeldOn,
    double Tolerance,
    IReadOnlyList<ItemAgreement> Items,
    IReadOnlyList<RaterAgreement> Raters,
    IReadOnlyList<RaterTotals> Totals)
{
    /// <summary>The usual calibration tolerance: a monitor's total within ±5 points of the session mean counts as calibrated.</summary>
    public const double DefaultTolerance = 5.0;

    public static CalibrationReport Of(CalibrationSession session, double tolerance = DefaultTolerance)
    {
        var auto = session.AutomaticRater;
        var items = session.Ratings.Select(r => r.ItemId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(item => ItemAgreementOf(session, item)).ToList();
        var raters = RaterAgreements(session.Ratings, session.Agreed, auto);
        return new CalibrationReport(session.Id, session.HeldOn, tolerance, items, raters, TotalsOf(session, tolerance));
    }

    private static ItemAgreement ItemAgreementOf(CalibrationSession session, string item)
    {
        var ratings = session.Ratings.Where(r => r.ItemId == item).ToList();
        var agreed = session.Agreed.Where(a => a.ItemId == item).ToList();
        var monitors = ratings.Where(r => r.Rater != session.AutomaticRater).Select(r => new Rating(r.CallId, r.Rater, r.Verdict));
        var everyone = ratings.Select(r => new Rating(r.CallId, r.Rater, r.Verdict));
        return new ItemAgreement(item,
            KrippendorffAlpha.Compute(RatingTable.FromRatings(monitors), MeasurementLevel.Nominal).Alpha,
            KrippendorffAlpha.Compute(RatingTable.FromRatings(everyone), MeasurementLevel.Nominal).Alpha,
            RaterAgreements(ratings, agreed, session.AutomaticRater));
    }

    private static List<RaterAgreement> RaterAgreements(IReadOnlyList<ItemRating> ratings, IReadOnlyList<AgreedVerdict> agreed, string auto)
    {
        var agreedBy = agreed.ToDictionary(a => (a.CallId, a.ItemId), a => a.Verdict);
        var byRater = ratings.GroupBy(r => r.Rater, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToDictionary(r => (r.CallId, r.ItemId), r => r.Verdict), StringComparer.Ordinal);
        var monitors = byRater.Keys.Where(r => r != auto).ToList();
        var result = new List<RaterAgreement>();
        foreach (var rater in byRater.Keys.Order(StringComparer.Ordinal))
        {
            var mine = byRater[rater];
            var isAuto = rater == auto;
            var others = monitors.Where(m => m != rater).Select(m => Share(mine, byRater[m])).OfType<double>().ToList();
            result.Add(new RaterAgreement(rater, isAuto, mine.Count,
                Share(mine, agreedBy),
                others.Count == 0 ? null : others.Average(),
                isAuto || !byRater.TryGetValue(auto, out var automatic) ? null : Share(mine, automatic)));
        }
        return result;
    }

    /// <summary>Share of the keys both sides decided on which they decided the same way; null when they share none.</summary>
    private static double? Share(IReadOnlyDictionary<(string, string), string> a, IReadOnlyDictionary<(string, string), string> b)
    {
        int both = 0, same = 0;
        foreach (var (key, verdict) in a)
        {
            if (!b.TryGetValue(key, out var other)) continue;
            both++;
            if (string.Equals(verdict, other, StringComparison.OrdinalIgnoreCase)) same++;
        }
        return both == 0 ? null : (double)same / both;
    }

    private static List<RaterTotals> TotalsOf(CalibrationSession session, double tolerance)
    {
        // The session mean is the monitors' mean, so the automatic scorer is measured against the people, not itself.
        var means = session.Totals.Where(t => t.Rater != session.AutomaticRater).GroupBy(t => t.CallId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(t => t.Score), StringComparer.Ordinal);
        return session.Totals.GroupBy(t => t.Rater, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var calls = g.Where(t => means.ContainsKey(t.CallId)).OrderBy(t => t.CallId, StringComparer.Ordinal)
                    .Select(t =>
                    {
                        var mean = means[t.CallId];
                        var distance = t.Score - mean;
                        return new CallDistance(t.CallId, t.Score, mean, distance, Math.Abs(distance) <= tolerance);
                    }).ToList();
                var total = calls.Sum(c => Math.Abs(c.Distance));
                return new RaterTotals(g.Key, g.Key == session.AutomaticRater, total,
                    calls.Count == 0 ? 0 : total / calls.Count, calls.Count(c => !c.WithinTolerance), calls);
            }).ToList();
    }
}
