namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// Every agreement statistic that applies to one set of ratings, with a note for each one that does not apply
/// or is undefined, so a screen can say why a number is missing instead of showing NaN.
/// </summary>
public sealed record AgreementSummary(
    int Units,
    int Raters,
    MeasurementLevel Level,
    CohenKappaResult? Cohen,
    FleissKappaResult? Fleiss,
    KrippendorffAlphaResult Krippendorff,
    IccResult? Icc,
    BlandAltmanResult? BlandAltman,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// Applies the rules of <c>qa calibration stats</c>: Cohen's kappa only for exactly two raters; Fleiss' kappa only
    /// when every unit has the same number (≥ 2) of ratings; Krippendorff's alpha always, at the given level; the ICCs
    /// only at interval level with complete data; Bland–Altman for two raters at interval level.
    /// </summary>
    public static AgreementSummary Of(RatingTable table, MeasurementLevel level)
    {
        var notes = new List<string>();

        CohenKappaResult? cohen = null;
        if (table.Raters.Count == 2)
        {
            cohen = CohenKappa.Compute(table, 0, 1);
            if (cohen is null) notes.Add("cohen_kappa: no unit was rated by both raters");
            else if (cohen.Kappa is null) notes.Add($"cohen_kappa: undefined, both raters used a single category (observed agreement {cohen.ObservedAgreement:R})");
        }
        else notes.Add($"cohen_kappa: needs exactly two raters ({table.Raters.Count} given)");

        var fleiss = FleissKappa.Compute(table);
        if (fleiss is null) notes.Add("fleiss_kappa: needs the same number (at least two) of ratings on every unit");
        else if (fleiss.Kappa is null) notes.Add($"fleiss_kappa: undefined, every rating is in one category (observed agreement {fleiss.ObservedAgreement:R})");

        var alpha = KrippendorffAlpha.Compute(table, level);
        if (alpha.Alpha is null)
            notes.Add(alpha.PairableValues < 2
                ? "krippendorff_alpha: undefined, no unit has two or more ratings"
                : "krippendorff_alpha: undefined, all pairable values are equal (no variation to judge reliability by)");

        IccResult? icc = null;
        BlandAltmanResult? blandAltman = null;
        if (level is MeasurementLevel.Interval or MeasurementLevel.Ratio)
        {
            var numbers = table.ToNumbers();
            if (table.IsComplete)
            {
                var matrix = new double[table.Units.Count, table.Raters.Count];
                for (var u = 0; u < table.Units.Count; u++)
                    for (var r = 0; r < table.Raters.Count; r++) matrix[u, r] = numbers[u, r]!.Value;
                icc = IntraclassCorrelation.Compute(matrix);
                if (icc is null) notes.Add("icc: needs at least two units and two raters");
            }
            else notes.Add("icc: needs complete data (every rater rates every unit)");

            if (table.Raters.Count == 2)
            {
                var pairs = new List<(double, double)>();
                for (var u = 0; u < table.Units.Count; u++)
                    if (numbers[u, 0] is { } a && numbers[u, 1] is { } b) pairs.Add((a, b));
                blandAltman = Agreement.BlandAltman.Compute(pairs);
            }
        }
        else notes.Add("icc: only at interval level");

        return new AgreementSummary(table.Units.Count, table.Raters.Count, level, cohen, fleiss, alpha, icc, blandAltman, notes);
    }
}
