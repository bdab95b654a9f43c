namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// One intraclass correlation with its 95% interval. <see cref="Value"/> is null when its formula divides by zero
/// (for example all ratings identical); <see cref="Ci95"/> is null when the F-based interval is not finite.
/// </summary>
public sealed record IccEstimate(double? Value, ConfidenceInterval? Ci95, double? F, double Df1, double Df2);

/// <summary>The six Shrout &amp; Fleiss intraclass correlations and the mean squares they come from.</summary>
public sealed record IccResult(
    int Targets,
    int Judges,
    double BetweenTargetsMeanSquare,
    double WithinTargetMeanSquare,
    double BetweenJudgesMeanSquare,
    double ResidualMeanSquare,
    IccEstimate Icc1,
    IccEstimate Icc2,
    IccEstimate Icc3,
    IccEstimate Icc1k,
    IccEstimate Icc2k,
    IccEstimate Icc3k);

public static class IntraclassCorrelation
{
    /// <summary>
    /// Shrout, P. E. &amp; Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
    /// Psychological Bulletin 86(2), 420–428. With n targets, k judges and the ANOVA mean squares of Table 1
    /// (BMS between targets, WMS within target, JMS between judges, EMS residual):
    /// ICC(1,1) = (BMS − WMS)/(BMS + (k−1)WMS); ICC(2,1) = (BMS − EMS)/(BMS + (k−1)EMS + k(JMS − EMS)/n);
    /// ICC(3,1) = (BMS − EMS)/(BMS + (k−1)EMS); ICC(1,k) = (BMS − WMS)/BMS; ICC(2,k) = (BMS − EMS)/(BMS + (JMS − EMS)/n);
    /// ICC(3,k) = (BMS − EMS)/BMS (eqs. 2–4, 6–8 and 11–12 of the paper).
    /// Confidence intervals are those of the paper's "Confidence intervals" section (F-based; for ICC(2,1) with
    /// Satterthwaite's degrees of freedom ν); ICC(2,k)'s interval is ICC(2,1)'s stepped up by Spearman–Brown, as the
    /// paper's Case 2 note and the R psych package do. Needs complete data, n ≥ 2 and k ≥ 2; otherwise null.
    /// </summary>
    public static IccResult? Compute(double[,] ratings)
    {
        int n = ratings.GetLength(0), k = ratings.GetLength(1);
        if (n < 2 || k < 2) return null;
        double grand = 0;
        var rowMean = new double[n];
        var colMean = new double[k];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < k; j++)
            {
                var x = ratings[i, j];
                if (!double.IsFinite(x)) throw new ArgumentException("ratings must be finite numbers");
                grand += x; rowMean[i] += x; colMean[j] += x;
            }
        grand /= n * k;
        for (var i = 0; i < n; i++) rowMean[i] /= k;
        for (var j = 0; j < k; j++) colMean[j] /= n;

        double ssTotal = 0, ssTargets = 0, ssJudges = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < k; j++) ssTotal += Math.Pow(ratings[i, j] - grand, 2);
        for (var i = 0; i < n; i++) ssTargets += k * Math.Pow(rowMean[i] - grand, 2);
        for (var j = 0; j < k; j++) ssJudges += n * Math.Pow(colMean[j] - grand, 2);
        var bms = ssTargets / (n - 1);
        var wms = Math.Max(0, ssTotal - ssTargets) / (n * (k - 1));
        var jms = ssJudges / (k - 1);
        var ems = Math.Max(0, ssTotal - ssTargets - ssJudges) / ((n - 1) * (k - 1));

        // Case 1: one-way random effects.
        double df1 = n - 1, dfWithin = n * (k - 1), dfResidual = (n - 1) * (k - 1);
        var f1 = Ratio(bms, wms);
        var icc1 = Ratio(bms - wms, bms + (k - 1) * wms);
        var icc1k = Ratio(bms - wms, bms);
        var (ci1, ci1k) = ExactFIntervals(f1, df1, dfWithin, k);

        // Case 3: two-way mixed, judges fixed.
        var f3 = Ratio(bms, ems);
        var icc3 = Ratio(bms - ems, bms + (k - 1) * ems);
        var icc3k = Ratio(bms - ems, bms);
        var (ci3, ci3k) = ExactFIntervals(f3, df1, dfResidual, k);

        // Case 2: two-way random, absolute agreement.
        var icc2 = Ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n);
        var icc2k = Ratio(bms - ems, bms + (jms - ems) / n);
        ConfidenceInterval? ci2 = null, ci2k = null;
        if (icc2 is { } r2 && ems > 0 && r2 < 1)
        {
            // Satterthwaite's approximate degrees of freedom for the denominator mean square (Shrout & Fleiss 1979, p. 425).
            var fj = jms / ems;
            var vn = (k - 1) * (n - 1) * Math.Pow(k * r2 * fj + n * (1 + (k - 1) * r2) - k * r2, 2);
            var vd = (n - 1) * k * k * r2 * r2 * fj * fj + Math.Pow(n * (1 + (k - 1) * r2) - k * r2, 2);
            var v = vn / vd;
            if (double.IsFinite(v) && v > 0)
            {
                var fStar = Distributions.FQuantile(0.975, df1, v);
                var fStar2 = Distributions.FQuantile(0.975, v, df1);
                var common = k * jms + (k * n - k - n) * ems;
                var lower = n * (bms - fStar * ems) / (fStar * common + n * bms);
                var upper = n * (fStar2 * bms - ems) / (common + n * fStar2 * bms);
                ci2 = Interval(lower, upper);
                ci2k = Interval(k * lower / (1 + (k - 1) * lower), k * upper / (1 + (k - 1) * upper));
            }
        }

        return new IccResult(n, k, bms, wms, jms, ems,
            new IccEstimate(icc1, ci1, f1, df1, dfWithin),
            new IccEstimate(icc2, ci2, f3, df1, dfResidual),
            new IccEstimate(icc3, ci3, f3, df1, dfResidual),
            new IccEstimate(icc1k, ci1k, f1, df1, dfWithin),
            new IccEstimate(icc2k, ci2k, f3, df1, dfResidual),
            new IccEstimate(icc3k, ci3k, f3, df1, dfResidual));
    }

    /// <summary>
    /// The exact F-based 95% intervals of cases 1 and 3 (Shrout &amp; Fleiss 1979, Table 4): from the observed
    /// F = BMS / (WMS or EMS) and its degrees of freedom, F_L = F / F(.975; df1, df2), F_U = F · F(.975; df2, df1);
    /// single rater (F_L − 1)/(F_L + k − 1) … (F_U − 1)/(F_U + k − 1), mean of k raters 1 − 1/F_L … 1 − 1/F_U.
    /// </summary>
    private static (ConfidenceInterval? Single, ConfidenceInterval? Average) ExactFIntervals(double? f, double df1, double df2, int k)
    {
        if (f is not { } observed || observed <= 0) return (null, null);
        var fl = observed / Distributions.FQuantile(0.975, df1, df2);
        var fu = observed * Distributions.FQuantile(0.975, df2, df1);
        return (Interval((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1)), Interval(1 - 1 / fl, 1 - 1 / fu));
    }

    private static double? Ratio(double numerator, double denominator)
    {
        if (denominator == 0) return null;
        var r = numerator / denominator;
        return double.IsFinite(r) ? r : null;
    }

    private static ConfidenceInterval? Interval(double lower, double upper) =>
        double.IsFinite(lower) && double.IsFinite(upper) ? new ConfidenceInterval(lower, upper) : null;
}
