using System.Globalization;
using System.Text.Json;
using CsvHelper;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Ingest;

/// <summary>
/// The files a telephony platform drops beside a recording <c>NAME.wav</c>: metadata <c>NAME.json</c>,
/// a transcript <c>NAME.transcript.json</c> or <c>NAME.transcript.txt</c>, or one <c>manifest.csv</c>
/// for the whole folder (<c>file,call_id,agent_id,team,queue,direction,start_time,customer_number</c>, and optionally
/// <c>language</c> (zh, en), <c>agent_channel</c> (left, right, mono) and <c>rubric</c> (a rubric id that overrides
/// routing)). A value outside those sets rejects the call with a one-line reason: a silent default would score it
/// against the wrong rubric or with the parties swapped.
/// </summary>
public static class Sidecars
{
    public const string ManifestName = "manifest.csv";

    private static readonly string[] SidecarSuffixes = [".json", ".txt", ".csv", ".reason"];

    /// <summary>True for files that belong to a recording rather than being one.</summary>
    public static bool IsSidecar(string path) =>
        SidecarSuffixes.Any(s => path.EndsWith(s, StringComparison.OrdinalIgnoreCase)) || Path.GetFileName(path).StartsWith('.');

    public static IEnumerable<string> FilesOf(string audioPath)
    {
        var stem = Path.Combine(Path.GetDirectoryName(audioPath) ?? ".", Path.GetFileNameWithoutExtension(audioPath));
        foreach (var candidate in new[] { stem + ".json", stem + ".transcript.json", stem + ".transcript.txt" })
            if (File.Exists(candidate)) yield return candidate;
    }

    public static byte[]? Transcript(string audioPath)
    {
        var stem = Path.Combine(Path.GetDirectoryName(audioPath) ?? ".", Path.GetFileNameWithoutExtension(audioPath));
        foreach (var candidate in new[] { stem + ".transcript.json", stem + ".transcript.txt" })
            if (File.Exists(candidate)) return File.ReadAllBytes(candidate);
        return null;
    }

    /// <summary>Metadata from NAME.json, else from the manifest row for the file, else none.</summary>
    public static CallMetadata Metadata(string audioPath, IReadOnlyDictionary<string, CallMetadata>? manifest)
    {
        var json = Path.Combine(Path.GetDirectoryName(audioPath) ?? ".", Path.GetFileNameWithoutExtension(audioPath) + ".json");
        if (File.Exists(json)) return ParseMetadataJson(File.ReadAllText(json), Path.GetFileName(json));
        return manifest is not null && manifest.TryGetValue(Path.GetFileName(audioPath), out var row) ? row : new CallMetadata();
    }

    public static CallMetadata ParseMetadataJson(string text, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{source}: metadata must be a JSON object");
            string? S(string key) => doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null
                ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
            return Validated(new CallMetadata(S("call_id"), S("agent_id"), S("team"), S("queue"), S("direction"), null, S("customer_number"),
                S("language"), S("agent_channel"), S("rubric")), S("start_time"), source);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: malformed metadata JSON ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>RFC 4180 through CsvHelper (quoted cells may hold commas), cells trimmed, blank lines skipped.</summary>
    private static readonly CsvReaderOptions ManifestCsv = CsvReaderOptions.Default with
    {
        Separator = ',', HasHeader = false, TrimWhitespace = true, TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw,
    };

    public static IReadOnlyDictionary<string, CallMetadata> LoadManifest(string csvPath)
    {
        using var csv = CsvReader.Create(new StreamReader(csvPath), ManifestCsv); // the StreamReader drops a BOM
        string[]? header = null;
        var rows = new Dictionary<string, CallMetadata>(StringComparer.Ordinal);
        while (true)
        {
            try
            {
                if (!csv.Read()) break;
            }
            catch (CsvFormatException e)
            {
                throw new FormatException($"{Path.GetFileName(csvPath)} line {e.LineNumber}: unterminated quoted cell");
            }
            var cells = Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray();
            if (header is null)
            {
                header = cells.Select(h => h.ToLowerInvariant()).ToArray();
                if (Array.IndexOf(header, "file") < 0) throw new FormatException($"{Path.GetFileName(csvPath)}: manifest header needs a 'file' column");
                continue;
            }
            if (cells is [""]) continue; // a line of spaces
            string? Cell(string name)
            {
                var idx = Array.IndexOf(header, name);
                return idx >= 0 && idx < cells.Length && cells[idx].Length > 0 ? cells[idx] : null;
            }
            var where = $"{Path.GetFileName(csvPath)} line {csv.LineNumber}";
            var file = Cell("file") ?? throw new FormatException($"{where}: 'file' is empty");
            rows[file] = Validated(new CallMetadata(Cell("call_id"), Cell("agent_id"), Cell("team"), Cell("queue"), Cell("direction"), null,
                Cell("customer_number"), Cell("language"), Cell("agent_channel"), Cell("rubric")), Cell("start_time"), where);
        }
        if (header is null) throw new FormatException($"{csvPath}: manifest is empty");
        return rows;
    }

    private static CallMetadata Validated(CallMetadata meta, string? startTime, string where)
    {
        var direction = meta.Direction?.Trim().ToLowerInvariant();
        if (direction is not (null or "inbound" or "outbound"))
            throw new FormatException($"{where}: direction must be inbound or outbound (got '{meta.Direction}')");
        DateTime? started = null;
        if (startTime is not null)
        {
            if (!DateTimeOffset.TryParse(startTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                throw new FormatException($"{where}: start_time '{startTime}' is not an ISO 8601 time");
            started = at.UtcDateTime;
        }
        var language = Blank(meta.Language)?.ToLowerInvariant();
        if (language is not (null or "zh" or "en"))
            throw new FormatException($"{where}: language must be zh or en (got '{meta.Language}')");
        var channel = Blank(meta.AgentChannel)?.ToLowerInvariant();
        if (channel is not null && !AgentChannels.All.Contains(channel))
            throw new FormatException($"{where}: agent_channel must be left, right or mono (got '{meta.AgentChannel}')");
        return meta with { Direction = direction, StartedAt = started, Language = language, AgentChannel = channel, Rubric = Blank(meta.Rubric) };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
