namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// The long-format ratings CSV of <c>qa calibration stats</c>: header <c>unit,rater,value</c>, one rating per row,
/// an empty value meaning "not rated". Fields may be quoted RFC 4180 style (<see cref="CsvRecords"/>). Parses text; reading the file is the caller's job.
/// </summary>
public static class RatingsCsv
{
    public static IReadOnlyList<Rating> Parse(string text)
    {
        var records = CsvRecords.Read(text);
        if (records.Count == 0) throw new FormatException("ratings CSV is empty; expected the header unit,rater,value");
        var (headerLine, headerFields) = records[0];
        var header = headerFields.Select(f => f.ToLowerInvariant()).ToArray();
        if (header is not ["unit", "rater", "value"])
            throw new FormatException($"line {headerLine}: expected the header unit,rater,value, found '{string.Join(",", headerFields)}'");

        var ratings = new List<Rating>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Length != 3)
                throw new FormatException($"line {line}: expected 3 fields (unit,rater,value), found {fields.Length}");
            var (unit, rater, value) = (fields[0], fields[1], fields[2]);
            if (unit.Length == 0) throw new FormatException($"line {line}: unit is empty");
            if (rater.Length == 0) throw new FormatException($"line {line}: rater is empty");
            ratings.Add(new Rating(unit, rater, value.Length == 0 ? null : value));
        }
        if (ratings.Count == 0) throw new FormatException("ratings CSV has a header but no ratings");
        return ratings;
    }
}
