using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
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
    /// (observed agreement, confidence intervals, Bland–Altman for two raters, notes on every null). No NaN or infinity
    /// ever reaches JSON: undefined values are null.
    /// </summary>
    public static void WriteJson(Stream stream, AgreementSummary s) =>
        JsonSerializer.Serialize(stream, new AgreementDocument(s.Units, s.Raters, s.Level.ToString().ToLowerInvariant(), Finite(s.Cohen?.Kappa),
            Finite(s.Fleiss?.Kappa), Finite(s.Krippendorff.Alpha), s.Icc is { } icc ? IccForms(icc).ToDictionary(f => f.Name, f => Finite(f.Form.Value)) : null,
            s.Cohen is { } cohen
                ? new CohenDocument(cohen.Units, cohen.ObservedAgreement, cohen.ChanceAgreement, Finite(cohen.StandardError), Interval(cohen.Ci95))
                : null,
            s.Fleiss is { } fleiss ? new FleissDocument(fleiss.RatingsPerUnit, fleiss.ObservedAgreement, fleiss.ChanceAgreement) : null,
            new KrippendorffDocument(s.Krippendorff.PairableValues, s.Krippendorff.ObservedDisagreement, s.Krippendorff.ExpectedDisagreement),
            s.Icc is { } ci ? IccForms(ci).ToDictionary(f => f.Name, f => Interval(f.Form.Ci95)) : null,
            s.BlandAltman is { } ba
                ? new BlandAltmanDocument(ba.Pairs, ba.MeanDifference, Finite(ba.SdDifference), Finite(ba.LowerLimit), Finite(ba.UpperLimit),
                    Interval(ba.MeanDifferenceCi95), Interval(ba.LowerLimitCi95), Interval(ba.UpperLimitCi95))
                : null,
            s.Notes), CalibrationJsonContext.Default.AgreementDocument);

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static double[]? Interval(ConfidenceInterval? ci) =>
        ci is { } c && double.IsFinite(c.Lower) && double.IsFinite(c.Upper) ? [c.Lower, c.Upper] : null;
}

// The `qa calibration stats` contract (../shared/docs/cli-contract.md), in its printed order.

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(AgreementDocument))]
internal sealed partial class CalibrationJsonContext : JsonSerializerContext;

internal sealed record AgreementDocument(
    int Units, int Raters, string Level, double? CohenKappa, double? FleissKappa, double? KrippendorffAlpha,
    Dictionary<string, double?>? Icc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CohenDocument? Cohen,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FleissDocument? Fleiss,
    KrippendorffDocument Krippendorff,
    [property: JsonPropertyName("icc_ci95"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, double[]?>? IccCi95,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlandAltmanDocument? BlandAltman,
    IReadOnlyList<string> Notes);

internal sealed record CohenDocument(int Units, double ObservedAgreement, double ChanceAgreement, double? StandardError,
    [property: JsonPropertyName("ci95")] double[]? Ci95);

internal sealed record FleissDocument(int RatingsPerUnit, double ObservedAgreement, double ChanceAgreement);

internal sealed record KrippendorffDocument(int PairableValues, double ObservedDisagreement, double ExpectedDisagreement);

internal sealed record BlandAltmanDocument(int Pairs, double MeanDifference, double? SdDifference, double? LowerLimit, double? UpperLimit,
    [property: JsonPropertyName("mean_difference_ci95")] double[]? MeanDifferenceCi95,
    [property: JsonPropertyName("lower_limit_ci95")] double[]? LowerLimitCi95,
    [property: JsonPropertyName("upper_limit_ci95")] double[]? UpperLimitCi95);
