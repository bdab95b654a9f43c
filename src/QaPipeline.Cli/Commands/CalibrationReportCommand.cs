using System.CommandLine;
using System.Text.Json;
using QaPipeline.Calibration.Reports;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// <c>qa calibration report --input sessions.csv</c>: what a QA lead brings to the calibration meeting — per item and per
/// rater agreement (the automatic scorer as one more rater), totals against the session mean with the ±5 tolerance,
/// and each rater's trend over sessions. JSON on stdout.
/// </summary>
public static class CalibrationReportCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "Sessions CSV: session,date,call,item,rater,value (rater 'agreed' = agreed verdict, item 'total' = total score)", Required = true };
        var tolerance = new Option<double>("--tolerance") { Description = "Points a total may sit from the session mean", DefaultValueFactory = _ => CalibrationReport.DefaultTolerance };
        var automatic = new Option<string>("--automatic-rater") { Description = "Rater name of the automatic scorer", DefaultValueFactory = _ => CalibrationSession.DefaultAutomaticRater };
        var command = new Command("report", "Calibration meeting report: agreement per item and rater, totals vs session mean, trends") { input, tolerance, automatic };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(input)!;
            if (!file.Exists) throw new UserInputException($"calibration file not found: {file.FullName}");
            var tol = parse.GetValue(tolerance);
            if (!(tol >= 0)) throw new UserInputException("--tolerance must be zero or more");
            IReadOnlyList<CalibrationSession> sessions;
            try { sessions = CalibrationSessionsCsv.Parse(File.ReadAllText(file.FullName), parse.GetValue(automatic)!); }
            catch (FormatException e) { throw new UserInputException($"{file.Name}: {e.Message}"); }
            var reports = sessions.OrderBy(s => s.HeldOn).Select(s => CalibrationReport.Of(s, tol)).ToList();
            var trends = CalibrationTrends.Of(reports);
            Console.Out.WriteLine(JsonSerializer.Serialize(new { sessions = reports, trends }, new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }));
            return 0;
        });
        return command;
    }
}
