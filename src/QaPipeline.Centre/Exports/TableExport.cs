using System.Globalization;
using CsvHelper;
using MiniExcelLibs;

namespace QaPipeline.Centre.Exports;

/// <summary>The spreadsheet formats a QA lead takes to management.</summary>
public enum ExportFormat { Csv, Xlsx }

/// <summary>
/// Writes a table (a header and rows produced lazily) as CSV or XLSX — the one writer behind every export
/// (<c>qa export scorecards</c> and the web pages' download buttons). Rows are pulled one at a time and written
/// straight to the stream, so an export of 100,000 calls never holds them all.
/// </summary>
public static class TableExport
{
    public static ExportFormat ParseFormat(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "xlsx" => ExportFormat.Xlsx,
        var other => throw new FormatException($"export format must be csv or xlsx (got '{other}')"),
    };

    public static string ContentType(ExportFormat format) => format == ExportFormat.Csv
        ? "text/csv; charset=utf-8"
        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static string Extension(ExportFormat format) => format == ExportFormat.Csv ? "csv" : "xlsx";

    public static async Task Write(Stream output, ExportFormat format, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows,
        string sheetName = "export", CancellationToken ct = default)
    {
        if (output.CanSeek)
        {
            if (format == ExportFormat.Csv) await WriteCsv(output, header, rows, ct);
            else await WriteXlsx(output, header, rows, sheetName, ct);
            return;
        }
        // An HTTP response is not seekable (the XLSX zip writer needs that) and refuses synchronous writes (which
        // both writers make when a buffer fills), so the file is built on disk and then copied out: memory stays flat.
        var temp = Path.GetTempFileName();
        try
        {
            await using var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
            await Write(file, format, header, rows, sheetName, ct);
            file.Position = 0;
            await file.CopyToAsync(output, ct);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    // RFC 4180 (CsvHelper's default: CRLF line ends, fields quoted when they hold a comma, quote or line break).
    // The BOM is what makes Excel read the file as UTF-8 (without it Chinese names turn to mojibake). Text that
    // starts with = + - @ is prefixed with ' so a spreadsheet shows it rather than running it (OWASP: CSV injection);
    // numbers are written as numbers, so negative scores stay numbers.
    private static readonly CsvWriterOptions Rfc4180 = CsvWriterOptions.Default with
    {
        WriteByteOrderMark = true, Injection = CsvInjection.Escape, TrueValue = "true", FalseValue = "false",
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private static async Task WriteCsv(Stream output, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(output, Rfc4180, leaveOpen: true);
        csv.WriteHeader(header.ToArray());
        await foreach (var row in rows.WithCancellation(ct))
        {
            foreach (var value in row) WriteField(csv, value);
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }

    /// <summary>Timestamps in ISO 8601 UTC, numbers and booleans invariant, the rest as text.</summary>
    private static void WriteField(CsvWriter csv, object? value)
    {
        switch (value)
        {
            case null: csv.WriteField((string?)null!); break;
            case string s: csv.WriteField(s); break;
            case DateTime d: csv.WriteField(d.ToUniversalTime(), "yyyy-MM-dd'T'HH:mm:ss'Z'"); break;
            case bool b: csv.WriteField(b); break;
            case long l: csv.WriteField(l, default); break;
            case int i: csv.WriteField(i, default); break;
            case double x: csv.WriteField(x, default); break;
            default: csv.WriteField(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static async Task WriteXlsx(Stream output, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, string sheetName,
        CancellationToken ct)
    {
        // MiniExcel writes the sheet row by row from an enumerable. The header goes in as the first row (and
        // printHeader is off) so that an export with no rows still has its columns. Keys are column positions.
        var keys = Enumerable.Range(0, header.Count).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        IEnumerable<IDictionary<string, object?>> Sheet()
        {
            yield return Row(keys, header.Cast<object?>().ToArray());
            var e = rows.GetAsyncEnumerator(ct);
            try
            {
                while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                    yield return Row(keys, e.Current);
            }
            finally
            {
                e.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        await MiniExcel.SaveAsAsync(output, Sheet(), printHeader: false, sheetName: sheetName, excelType: ExcelType.XLSX, cancellationToken: ct);
    }

    private static Dictionary<string, object?> Row(string[] keys, object?[] values)
    {
        var row = new Dictionary<string, object?>(keys.Length);
        for (var i = 0; i < keys.Length; i++) row[keys[i]] = i < values.Length ? values[i] : null;
        return row;
    }
}
