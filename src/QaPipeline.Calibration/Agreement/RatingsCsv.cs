using System.Text;

namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// The long-format ratings CSV of <c>qa calibration stats</c>: header <c>unit,rater,value</c>, one rating per row,
/// an empty value meaning "not rated". Fields may be quoted RFC 4180 style. Parses text; reading the file is the caller's job.
/// </summary>
public static class RatingsCsv
{
    public static IReadOnlyList<Rating> Parse(string text)
    {
        var lines = text.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n');
        var headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0) throw new FormatException("ratings CSV is empty; expected the header unit,rater,value");
        var header = SplitFields(lines[headerLine], headerLine + 1).Select(f => f.Trim().ToLowerInvariant()).ToArray();
        if (header is not ["unit", "rater", "value"])
            throw new FormatException($"line {headerLine + 1}: expected the header unit,rater,value, found '{lines[headerLine].Trim()}'");

        var ratings = new List<Rating>();
        for (var i = headerLine + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = SplitFields(lines[i], i + 1);
            if (fields.Count != 3)
                throw new FormatException($"line {i + 1}: expected 3 fields (unit,rater,value), found {fields.Count}");
            var (unit, rater, value) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim());
            if (unit.Length == 0) throw new FormatException($"line {i + 1}: unit is empty");
            if (rater.Length == 0) throw new FormatException($"line {i + 1}: rater is empty");
            ratings.Add(new Rating(unit, rater, value.Length == 0 ? null : value));
        }
        if (ratings.Count == 0) throw new FormatException("ratings CSV has a header but no ratings");
        return ratings;
    }

    private static List<string> SplitFields(string line, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.ToString().Trim().Length == 0) { field.Clear(); quoted = true; }
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new FormatException($"line {lineNumber}: unterminated quoted field");
        fields.Add(field.ToString());
        return fields;
    }
}
