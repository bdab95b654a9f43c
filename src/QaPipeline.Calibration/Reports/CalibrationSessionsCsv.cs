using System.Globalization;
using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Reports;

/// <summary>
/// Calibration sessions in one long CSV, as a QA lead exports them from a spreadsheet:
/// header <c>session,date,call,item,rater,value</c>, fields quoted RFC 4180 style where they hold a comma (<see cref="CsvRecords"/>). The value is the rater's verdict (pass/fail/na) on the item;
/// the reserved rater <c>agreed</c> holds the verdict the meeting agreed on, and the reserved item <c>total</c>
/// holds a rater's total score for the call. The automatic scorer is an ordinary rater (default name <c>auto</c>).
/// </summary>
public static class CalibrationSessionsCsv
{
    public const string AgreedRater = "agreed";
    public const string TotalItem = "total";

    public static IReadOnlyList<CalibrationSession> Parse(string text, string automaticRater = CalibrationSession.DefaultAutomaticRater)
    {
        var rows = Rows(text);
        var sessions = new List<CalibrationSession>();
        foreach (var group in rows.GroupBy(r => r.Session, StringComparer.Ordinal))
        {
            var dates = group.Select(r => r.Date).Distinct().ToList();
            if (dates.Count != 1) throw new FormatException($"session '{group.Key}' has more than one date");
            var ratings = new List<ItemRating>();
            var agreed = new List<AgreedVerdict>();
            var totals = new List<CallTotal>();
            foreach (var r in group)
            {
                if (r.Item == TotalItem)
                {
                    if (!RatingTable.TryParseNumber(r.Value, out var score))
                        throw new FormatException($"line {r.Line}: total '{r.Value}' is not a number");
                    totals.Add(new CallTotal(r.Call, r.Rater, score));
                }
                else if (r.Rater == AgreedRater) agreed.Add(new AgreedVerdict(r.Call, r.Item, r.Value));
                else ratings.Add(new ItemRating(r.Call, r.Item, r.Rater, r.Value));
            }
            var duplicate = ratings.GroupBy(x => (x.CallId, x.ItemId, x.Rater)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new FormatException($"session '{group.Key}': rater '{duplicate.Key.Rater}' rated item '{duplicate.Key.ItemId}' of call '{duplicate.Key.CallId}' twice");
            sessions.Add(new CalibrationSession(group.Key, dates[0], ratings, agreed, totals, automaticRater));
        }
        return sessions;
    }

    private sealed record Row(int Line, string Session, DateOnly Date, string Call, string Item, string Rater, string Value);

    private static List<Row> Rows(string text)
    {
        var records = CsvRecords.Read(text);
        if (records.Count == 0 || string.Join(",", records[0].Fields).ToLowerInvariant() != "session,date,call,item,rater,value")
            throw new FormatException($"line {(records.Count == 0 ? 1 : records[0].Line)}: expected the header session,date,call,item,rater,value");
        var rows = new List<Row>();
        foreach (var (line, f) in records.Skip(1))
        {
            if (f.Length != 6) throw new FormatException($"line {line}: expected 6 fields (session,date,call,item,rater,value), found {f.Length}");
            if (!DateOnly.TryParseExact(f[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new FormatException($"line {line}: date '{f[1]}' is not yyyy-MM-dd");
            if (f.Take(5).Any(x => x.Length == 0)) throw new FormatException($"line {line}: session, call, item and rater must not be empty");
            if (f[5].Length == 0) continue; // not rated
            rows.Add(new Row(line, f[0], date, f[2], f[3], f[4], f[5].ToLowerInvariant()));
        }
        if (rows.Count == 0) throw new FormatException("calibration CSV has no ratings");
        return rows;
    }
}
