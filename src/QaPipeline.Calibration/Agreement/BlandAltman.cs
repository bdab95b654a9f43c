namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// Bland–Altman agreement between two measurements of the same thing (here: two raters' total scores of the same call).
/// Differences are first minus second. With a single pair the standard deviation and every interval are null.
/// </summary>
public sealed record BlandAltmanResult(
    int Pairs,
    double MeanDifference,
    double? SdDifference,
    double? LowerLimit,
    double? UpperLimit,
    ConfidenceInterval? MeanDifferenceCi95,
    ConfidenceInterval? LowerLimitCi95,
    ConfidenceInterval? UpperLimitCi95);

public static class BlandAltman
{
    /// <summary>
    /// Bland, J. M. &amp; Altman, D. G. (1986). Statistical methods for assessing agreement between two methods of
    /// clinical measurement. Lancet i, 307–310: limits of agreement d̄ ± z·s, where d̄ and s are the mean and standard
    /// deviation of the differences. Precision (same paper, "precision of estimated limits of agreement"; restated in
    /// Bland &amp; Altman 1999, Measuring agreement in method comparison studies, Stat Methods Med Res 8, 135–160, §2.1):
    /// se(d̄) = √(s²/n), se(limit) ≈ √(3s²/n), both with t(n−1) critical values.
    /// <paramref name="multiplier"/> is 1.96 by default (the 1999 paper); the 1986 paper rounded it to 2.
    /// </summary>
    public static BlandAltmanResult? Compute(IReadOnlyList<(double First, double Second)> pairs, double multiplier = Distributions.Z975)
    {
        if (pairs.Count == 0) return null;
        var d = pairs.Select(p => p.First - p.Second).ToArray();
        var n = d.Length;
        var mean = d.Average();
        if (n < 2) return new BlandAltmanResult(n, mean, null, null, null, null, null, null);
        var sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        var lower = mean - multiplier * sd;
        var upper = mean + multiplier * sd;
        var t = Distributions.TQuantile(0.975, n - 1);
        var seMean = sd / Math.Sqrt(n);
        var seLimit = Math.Sqrt(3 * sd * sd / n);
        return new BlandAltmanResult(n, mean, sd, lower, upper,
            new ConfidenceInterval(mean - t * seMean, mean + t * seMean),
            new ConfidenceInterval(lower - t * seLimit, lower + t * seLimit),
            new ConfidenceInterval(upper - t * seLimit, upper + t * seLimit));
    }
}
