namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// Fleiss' kappa. <see cref="Kappa"/> is null when chance agreement is 1 (every rating in one category):
/// then <see cref="ObservedAgreement"/> is 1.0 and the coefficient is 0/0.
/// </summary>
public sealed record FleissKappaResult(double? Kappa, double ObservedAgreement, double ChanceAgreement, int Units, int RatingsPerUnit);

public static class FleissKappa
{
    /// <summary>
    /// Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin 76(5), 378–382:
    /// p_j = Σ_i n_ij / (N n) (eq. 2), P_i = (Σ_j n_ij² − n) / (n(n − 1)) (eq. 3), P̄ = mean P_i, P̄_e = Σ_j p_j²,
    /// κ = (P̄ − P̄_e) / (1 − P̄_e). Raters need not be the same people across units, but every unit must have
    /// the same number n ≥ 2 of ratings; otherwise (or with no units) the result is null.
    /// </summary>
    public static FleissKappaResult? Compute(RatingTable table)
    {
        if (table.Units.Count == 0) return null;
        var n = table.RatingsOf(0);
        if (n < 2) return null;
        for (var u = 1; u < table.Units.Count; u++) if (table.RatingsOf(u) != n) return null;
        var counts = new List<Dictionary<string, int>>();
        for (var u = 0; u < table.Units.Count; u++)
            counts.Add(table.ValuesOf(u).GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        return Compute(counts, n);
    }

    /// <summary>From category counts per unit (n_ij), as Fleiss tabulates them; every unit's counts must sum to <paramref name="ratingsPerUnit"/>.</summary>
    public static FleissKappaResult? Compute(IReadOnlyList<IReadOnlyDictionary<string, int>> countsPerUnit, int ratingsPerUnit)
    {
        var big = countsPerUnit.Count;
        double n = ratingsPerUnit;
        if (big == 0 || ratingsPerUnit < 2) return null;
        var categoryTotals = new Dictionary<string, double>(StringComparer.Ordinal);
        double pBar = 0;
        foreach (var unit in countsPerUnit)
        {
            if (unit.Values.Sum() != ratingsPerUnit)
                throw new ArgumentException($"every unit needs {ratingsPerUnit} ratings for Fleiss' kappa");
            double squares = 0;
            foreach (var (category, count) in unit)
            {
                squares += (double)count * count;
                categoryTotals[category] = categoryTotals.GetValueOrDefault(category) + count;
            }
            pBar += (squares - n) / (n * (n - 1));
        }
        pBar /= big;
        var pe = categoryTotals.Values.Sum(t => Math.Pow(t / (big * n), 2));
        if (pe >= 1 - 1e-12) return new FleissKappaResult(null, pBar, pe, big, ratingsPerUnit);
        return new FleissKappaResult((pBar - pe) / (1 - pe), pBar, pe, big, ratingsPerUnit);
    }

    /// <summary>Convenience overload for count tables with integer category labels (columns 0..q−1).</summary>
    public static FleissKappaResult? Compute(int[,] counts)
    {
        var units = new List<IReadOnlyDictionary<string, int>>();
        for (var i = 0; i < counts.GetLength(0); i++)
        {
            var d = new Dictionary<string, int>();
            for (var j = 0; j < counts.GetLength(1); j++) if (counts[i, j] > 0) d[j.ToString(System.Globalization.CultureInfo.InvariantCulture)] = counts[i, j];
            units.Add(d);
        }
        var n = units.Count == 0 ? 0 : units[0].Values.Sum();
        return Compute(units, n);
    }
}
