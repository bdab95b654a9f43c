namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// Krippendorff's alpha. <see cref="Alpha"/> is null when it is undefined: no unit has two values (nothing is
/// pairable), or every pairable value is the same (expected disagreement 0, so alpha is 0/0 — the data show
/// perfect agreement but no variation from which reliability could be judged).
/// </summary>
public sealed record KrippendorffAlphaResult(
    double? Alpha,
    MeasurementLevel Level,
    double ObservedDisagreement,
    double ExpectedDisagreement,
    int PairableValues);

public static class KrippendorffAlpha
{
    /// <summary>
    /// Alpha via the coincidence matrix, following Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
    /// Annenberg School for Communication, University of Pennsylvania, departmental paper 43, section C
    /// ("nominal data, any number of observers, missing data") and sections D–F (ordinal, interval, ratio):
    /// o_ck = Σ_u (number of c–k pairs in unit u) / (m_u − 1), over units with m_u ≥ 2 values;
    /// n_c = Σ_k o_ck; n = Σ_c n_c;
    /// α = 1 − (n − 1) Σ_c Σ_k o_ck δ²_ck / Σ_c Σ_k n_c n_k δ²_ck.
    /// Difference functions δ²: nominal 0 if c = k else 1; ordinal (Σ_{g=c..k} n_g − (n_c + n_k)/2)²;
    /// interval (c − k)²; ratio ((c − k)/(c + k))².
    /// Ordinal, interval and ratio need numeric values (ordinal ranks them numerically); nominal compares
    /// values as numbers when all are numbers (so "1" and "1.0" are one category), as text otherwise.
    /// </summary>
    public static KrippendorffAlphaResult Compute(RatingTable table, MeasurementLevel level)
    {
        var numeric = level != MeasurementLevel.Nominal || table.AllValuesNumeric();
        var numbers = numeric ? table.ToNumbers() : null;

        // Distinct values, ordered, and each unit's values as indices into them.
        var keys = new List<string>();
        var keyOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var units = new List<List<string>>();
        for (var u = 0; u < table.Units.Count; u++)
        {
            var list = new List<string>();
            for (var r = 0; r < table.Raters.Count; r++)
            {
                if (table[u, r] is not { } text) continue;
                list.Add(numeric ? numbers![u, r]!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : text);
            }
            units.Add(list);
        }
        IEnumerable<string> distinct = units.SelectMany(x => x).Distinct(StringComparer.Ordinal);
        distinct = numeric
            ? distinct.OrderBy(k => double.Parse(k, System.Globalization.CultureInfo.InvariantCulture))
            : distinct.Order(StringComparer.Ordinal);
        foreach (var k in distinct) { keyOf[k] = keys.Count; keys.Add(k); }
        var v = keys.Count;
        var value = numeric ? keys.Select(k => double.Parse(k, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : null;

        var o = new double[v, v];
        foreach (var unit in units)
        {
            var m = unit.Count;
            if (m < 2) continue;
            for (var i = 0; i < m; i++)
                for (var j = 0; j < m; j++)
                    if (i != j) o[keyOf[unit[i]], keyOf[unit[j]]] += 1.0 / (m - 1);
        }
        var nc = new double[v];
        for (var c = 0; c < v; c++) for (var k = 0; k < v; k++) nc[c] += o[c, k];
        var n = nc.Sum();
        var pairable = (int)Math.Round(n);
        if (n < 2) return new KrippendorffAlphaResult(null, level, 0, 0, pairable);

        // Prefix sums of n_g make the ordinal difference O(1) per pair of values, so score scales with many values stay fast.
        var cumulative = new double[v + 1];
        for (var g = 0; g < v; g++) cumulative[g + 1] = cumulative[g] + nc[g];

        double Delta2(int c, int k)
        {
            switch (level)
            {
                case MeasurementLevel.Nominal:
                    return c == k ? 0 : 1;
                case MeasurementLevel.Ordinal:
                    var (lo, hi) = c < k ? (c, k) : (k, c);
                    var s = cumulative[hi + 1] - cumulative[lo] - (nc[c] + nc[k]) / 2;
                    return s * s;
                case MeasurementLevel.Interval:
                    return Math.Pow(value![c] - value[k], 2);
                case MeasurementLevel.Ratio:
                    var sum = value![c] + value[k];
                    return sum == 0 ? 0 : Math.Pow((value[c] - value[k]) / sum, 2);
                default:
                    throw new ArgumentOutOfRangeException(nameof(level));
            }
        }

        double observed = 0, expected = 0;
        for (var c = 0; c < v; c++)
            for (var k = 0; k < v; k++)
            {
                if (c == k) continue; // δ² is 0 on the diagonal at every level
                var d = Delta2(c, k);
                observed += o[c, k] * d;
                expected += nc[c] * nc[k] * d;
            }
        var dObserved = observed / n;
        var dExpected = expected / (n * (n - 1));
        if (dExpected <= 0) return new KrippendorffAlphaResult(null, level, dObserved, dExpected, pairable);
        return new KrippendorffAlphaResult(1 - dObserved / dExpected, level, dObserved, dExpected, pairable);
    }
}
