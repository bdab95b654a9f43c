namespace QaPipeline.Calibration.Reports;

/// <summary>One rater in one session: agreement with the agreed verdicts and mean distance of totals from the session mean.</summary>
public sealed record TrendPoint(string SessionId, DateOnly HeldOn, double? AgreementWithAgreed, double? MeanAbsoluteDistance);

/// <summary>
/// A rater's (or the automatic scorer's) course over calibration sessions. <see cref="AgreementSlope"/> is the
/// least-squares change in agreement per session (null with fewer than two sessions that have one).
/// <see cref="Drifting"/> marks a rater whose agreement falls by more than <see cref="CalibrationTrends.DriftPerSession"/>
/// per session or whose latest totals sit, on average, outside the tolerance.
/// </summary>
public sealed record RaterTrend(string Rater, bool IsAutomatic, IReadOnlyList<TrendPoint> Points, double? AgreementSlope, bool Drifting);

public static class CalibrationTrends
{
    /// <summary>A fall in agreement of more than 3 points per session is worth a word before the next meeting.</summary>
    public const double DriftPerSession = 0.03;

    public static IReadOnlyList<RaterTrend> Of(IEnumerable<CalibrationReport> reports)
    {
        var ordered = reports.OrderBy(r => r.HeldOn).ThenBy(r => r.SessionId, StringComparer.Ordinal).ToList();
        var raters = ordered.SelectMany(r => r.Raters.Select(x => (x.Rater, x.IsAutomatic)))
            .Concat(ordered.SelectMany(r => r.Totals.Select(x => (x.Rater, x.IsAutomatic))))
            .Distinct().OrderBy(x => x.Rater, StringComparer.Ordinal).ToList();
        var trends = new List<RaterTrend>();
        foreach (var (rater, isAuto) in raters)
        {
            var points = new List<TrendPoint>();
            foreach (var report in ordered)
            {
                var agreement = report.Raters.FirstOrDefault(x => x.Rater == rater);
                var totals = report.Totals.FirstOrDefault(x => x.Rater == rater);
                if (agreement is null && totals is null) continue;
                points.Add(new TrendPoint(report.SessionId, report.HeldOn, agreement?.WithAgreed,
                    totals is { Calls.Count: > 0 } ? totals.MeanAbsoluteDistance : null));
            }
            var slope = Slope(points.Select((p, i) => (X: (double)i, Y: p.AgreementWithAgreed)).Where(p => p.Y is not null).Select(p => (p.X, p.Y!.Value)).ToList());
            var tolerance = ordered.Count == 0 ? CalibrationReport.DefaultTolerance : ordered[^1].Tolerance;
            var latestDistance = points.LastOrDefault(p => p.MeanAbsoluteDistance is not null)?.MeanAbsoluteDistance;
            var drifting = slope < -DriftPerSession || latestDistance > tolerance;
            trends.Add(new RaterTrend(rater, isAuto, points, slope, drifting));
        }
        return trends;
    }

    private static double? Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) return null;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? null : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }
}
