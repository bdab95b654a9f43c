namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// Cohen's kappa for two raters. <see cref="Kappa"/> is null when chance agreement is 1 (both raters used
/// one and the same category throughout): kappa is 0/0 there, and <see cref="ObservedAgreement"/> (1.0) says what happened.
/// </summary>
public sealed record CohenKappaResult(
    double? Kappa,
    double ObservedAgreement,
    double ChanceAgreement,
    int Units,
    double? StandardError,
    ConfidenceInterval? Ci95);

public static class CohenKappa
{
    /// <summary>
    /// Kappa over the units both raters rated (pairs with a missing value are left out).
    /// Kappa = (p_o − p_e) / (1 − p_e): Cohen, J. (1960). A coefficient of agreement for nominal scales.
    /// Educational and Psychological Measurement 20(1), 37–46, eq. (1).
    /// The large-sample standard error is the non-null one of Fleiss, Cohen &amp; Everitt (1969),
    /// Large sample standard errors of kappa and weighted kappa, Psychological Bulletin 72(5), 323–327,
    /// as written in Fleiss, Levin &amp; Paik, Statistical Methods for Rates and Proportions (3rd ed., 2003), eq. (18.13):
    /// se = √(A + B − C) / ((1 − p_e)√n), A = Σ p_ii[1 − (p_i. + p_.i)(1 − κ)]²,
    /// B = (1 − κ)² Σ_{i≠j} p_ij (p_.i + p_j.)², C = [κ − p_e(1 − κ)]²; CI = κ ± 1.96·se.
    /// Returns null when no unit was rated by both.
    /// </summary>
    public static CohenKappaResult? Compute(IReadOnlyList<string?> first, IReadOnlyList<string?> second)
    {
        if (first.Count != second.Count) throw new ArgumentException("both raters need one entry per unit");
        var pairs = first.Zip(second).Where(p => p.First is not null && p.Second is not null)
            .Select(p => (A: p.First!, B: p.Second!)).ToList();
        if (pairs.Count == 0) return null;
        var categories = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = categories.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var q = categories.Count;
        double n = pairs.Count;
        var p = new double[q, q];
        foreach (var (a, b) in pairs) p[index[a], index[b]] += 1 / n;
        var row = new double[q];
        var col = new double[q];
        for (var i = 0; i < q; i++)
            for (var j = 0; j < q; j++) { row[i] += p[i, j]; col[j] += p[i, j]; }

        double po = 0, pe = 0;
        for (var i = 0; i < q; i++) { po += p[i, i]; pe += row[i] * col[i]; }
        // p_e = 1 only when both raters put every unit into one and the same category: kappa is 0/0.
        if (pe >= 1 - 1e-12) return new CohenKappaResult(null, po, pe, pairs.Count, null, null);

        var kappa = (po - pe) / (1 - pe);
        double aTerm = 0, bTerm = 0;
        for (var i = 0; i < q; i++)
        {
            aTerm += p[i, i] * Math.Pow(1 - (row[i] + col[i]) * (1 - kappa), 2);
            for (var j = 0; j < q; j++)
                if (i != j) bTerm += p[i, j] * Math.Pow(col[i] + row[j], 2);
        }
        bTerm *= Math.Pow(1 - kappa, 2);
        var cTerm = Math.Pow(kappa - pe * (1 - kappa), 2);
        var variance = Math.Max(0, aTerm + bTerm - cTerm);
        var se = Math.Sqrt(variance) / ((1 - pe) * Math.Sqrt(n));
        return new CohenKappaResult(kappa, po, pe, pairs.Count, se,
            new ConfidenceInterval(kappa - Distributions.Z975 * se, kappa + Distributions.Z975 * se));
    }

    /// <summary>Kappa between two columns of a rating table.</summary>
    public static CohenKappaResult? Compute(RatingTable table, int firstRater, int secondRater)
    {
        var a = new string?[table.Units.Count];
        var b = new string?[table.Units.Count];
        for (var u = 0; u < table.Units.Count; u++) { a[u] = table[u, firstRater]; b[u] = table[u, secondRater]; }
        return Compute(a, b);
    }
}
