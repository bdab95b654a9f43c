using CsvHelper;

namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// The calibration CSVs' one reader, CsvHelper: RFC 4180 quoting (a quoted field may hold commas, quotes and line
/// breaks), commas only (never a guessed separator: the header is the contract), a byte-order mark ignored, spaces
/// around fields trimmed, blank lines skipped. Each record comes with the
/// line it starts on, so a caller's error names it; an unterminated quote is an error naming its line.
/// </summary>
internal static class CsvRecords
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',', HasHeader = false, TrimWhitespace = true, TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw,
    };

    public static List<(int Line, string[] Fields)> Read(string text)
    {
        using var csv = CsvReader.Create(new StringReader(text.TrimStart('\uFEFF')), Options);
        var records = new List<(int, string[])>();
        while (true)
        {
            try
            {
                if (!csv.Read()) return records;
            }
            catch (CsvFormatException e)
            {
                throw new FormatException($"line {e.LineNumber}: unterminated quoted field");
            }
            var fields = Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray();
            if (fields is [""]) continue; // a line of spaces
            records.Add(((int)csv.LineNumber, fields));
        }
    }
}
