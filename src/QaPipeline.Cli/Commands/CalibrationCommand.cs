using System.CommandLine;
using System.Text.Json;
using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa calibration ...</c>: agreement statistics for calibration sessions (see ../shared/docs/cli-contract.md).</summary>
public static class CalibrationCommand
{
    public static Command Create()
    {
        var calibration = new Command("calibration", "Calibration: agreement between monitors and the automatic scorer");
        calibration.Subcommands.Add(CreateStats());
        calibration.Subcommands.Add(CalibrationReportCommand.Create());
        calibration.Subcommands.Add(CalibrationSimulateCommand.Create());
        return calibration;
    }

    private static Command CreateStats()
    {
        var input = new Option<FileInfo>("--input") { Description = "Ratings CSV with header unit,rater,value (empty value = not rated)", Required = true };
        var level = new Option<string>("--level") { Description = "Measurement level: nominal (default), ordinal, interval or ratio", DefaultValueFactory = _ => "nominal" };
        var stats = new Command("stats", "Cohen's and Fleiss' kappa, Krippendorff's alpha, Shrout & Fleiss ICCs for a set of ratings") { input, level };
        stats.SetAction(parse =>
        {
            var file = parse.GetValue(input)!;
            var measurement = ParseLevel(parse.GetValue(level));
            if (!file.Exists) throw new UserInputException($"ratings file not found: {file.FullName}");
            var ratings = RatingsCsv.Parse(File.ReadAllText(file.FullName));
            RatingTable table;
            try { table = RatingTable.FromRatings(ratings); }
            catch (FormatException e) { throw new UserInputException($"{file.Name}: {e.Message}"); }
            AgreementSummary summary;
            try { summary = AgreementSummary.Of(table, measurement); }
            catch (FormatException e) { throw new UserInputException($"{file.Name}: {e.Message}"); }
            using var buffer = new MemoryStream();
            WriteJson(buffer, summary);
            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return 0;
        });
        return stats;
    }

    private static MeasurementLevel ParseLevel(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "nominal" => MeasurementLevel.Nominal,
        "ordinal" => MeasurementLevel.Ordinal,
        "interval" => MeasurementLevel.Interval,
        "ratio" => MeasurementLevel.Ratio,
        _ => throw new UserInputException($"--level must be nominal, ordinal or interval (or ratio), not '{text}'"),
    };

    /// <summary>The six Shrout &amp; Fleiss forms in the contract's order, with their JSON names.</summary>
    private static (string Name, IccEstimate Form)[] IccForms(IccResult icc) =>
        [("icc1", icc.Icc1), ("icc2", icc.Icc2), ("icc3", icc.Icc3), ("icc1k", icc.Icc1k), ("icc2k", icc.Icc2k), ("icc3k", icc.Icc3k)];

    /// <summary>
    /// The contract's fields first, in the contract's order and unrounded; then extras a QA lead needs to read them
    /// (observed agreement, confidence intervals, Bland–Altman for two raters, notes on every null).
    /// </summary>
    public static void WriteJson(Stream stream, AgreementSummary s)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteNumber("units", s.Units);
        w.WriteNumber("raters", s.Raters);
        w.WriteString("level", s.Level.ToString().ToLowerInvariant());
        Number(w, "cohen_kappa", s.Cohen?.Kappa);
        Number(w, "fleiss_kappa", s.Fleiss?.Kappa);
        Number(w, "krippendorff_alpha", s.Krippendorff.Alpha);
        if (s.Icc is { } icc)
        {
            w.WriteStartObject("icc");
            foreach (var (name, form) in IccForms(icc)) Number(w, name, form.Value);
            w.WriteEndObject();
        }
        else w.WriteNull("icc");

        // Extras beyond the contract.
        if (s.Cohen is { } cohen)
        {
            w.WriteStartObject("cohen");
            w.WriteNumber("units", cohen.Units);
            w.WriteNumber("observed_agreement", cohen.ObservedAgreement);
            w.WriteNumber("chance_agreement", cohen.ChanceAgreement);
            Number(w, "standard_error", cohen.StandardError);
            Interval(w, "ci95", cohen.Ci95);
            w.WriteEndObject();
        }
        if (s.Fleiss is { } fleiss)
        {
            w.WriteStartObject("fleiss");
            w.WriteNumber("ratings_per_unit", fleiss.RatingsPerUnit);
            w.WriteNumber("observed_agreement", fleiss.ObservedAgreement);
            w.WriteNumber("chance_agreement", fleiss.ChanceAgreement);
            w.WriteEndObject();
        }
        w.WriteStartObject("krippendorff");
        w.WriteNumber("pairable_values", s.Krippendorff.PairableValues);
        w.WriteNumber("observed_disagreement", s.Krippendorff.ObservedDisagreement);
        w.WriteNumber("expected_disagreement", s.Krippendorff.ExpectedDisagreement);
        w.WriteEndObject();
        if (s.Icc is { } ci)
        {
            w.WriteStartObject("icc_ci95");
            foreach (var (name, form) in IccForms(ci)) Interval(w, name, form.Ci95);
            w.WriteEndObject();
        }
        if (s.BlandAltman is { } ba)
        {
            w.WriteStartObject("bland_altman");
            w.WriteNumber("pairs", ba.Pairs);
            w.WriteNumber("mean_difference", ba.MeanDifference);
            Number(w, "sd_difference", ba.SdDifference);
            Number(w, "lower_limit", ba.LowerLimit);
            Number(w, "upper_limit", ba.UpperLimit);
            Interval(w, "mean_difference_ci95", ba.MeanDifferenceCi95);
            Interval(w, "lower_limit_ci95", ba.LowerLimitCi95);
            Interval(w, "upper_limit_ci95", ba.UpperLimitCi95);
            w.WriteEndObject();
        }
        w.WriteStartArray("notes");
        foreach (var note in s.Notes) w.WriteStringValue(note);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        // No NaN or infinity ever reaches JSON: the statistics return null for undefined values.
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void Interval(Utf8JsonWriter w, string name, ConfidenceInterval? ci)
    {
        if (ci is not { } c || !double.IsFinite(c.Lower) || !double.IsFinite(c.Upper)) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        w.WriteNumberValue(c.Lower);
        w.WriteNumberValue(c.Upper);
        w.WriteEndArray();
    }
}
