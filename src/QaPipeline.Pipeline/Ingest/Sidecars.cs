using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using QaPipeline.Scoring.Contracts;
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

    /// <summary>NAME.json (or an upload's form fields): the <see cref="MetadataSidecar"/> contract, lenient on purpose — a
    /// number, true/false or even an object where text is expected is kept as its JSON text (platforms send agent ids
    /// as numbers), unknown fields are ignored; then the same checks as a manifest row.</summary>
    public static CallMetadata ParseMetadataJson(string text, string source)
    {
        var notAnObject = $"{source}: metadata must be a JSON object";
        var m = ContractJson.Read(text, SidecarJsonContext.Default.MetadataSidecar, $"{source}: malformed metadata JSON",
            // an array, a string or a number at the top: JSON, but not metadata
            onPath: path => path == "$" && !text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{') && text.Trim().Length > 0
                ? notAnObject : null,
            whenNull: notAnObject);
        return Validated(new CallMetadata(m.CallId, m.AgentId, m.Team, m.Queue, m.Direction, null, m.CustomerNumber, m.Language,
            m.AgentChannel, m.Rubric), m.StartTime, source);
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

/// <summary>The metadata sidecar NAME.json: every field text, snake_case, all optional.</summary>
internal sealed record MetadataSidecar(
    [property: JsonConverter(typeof(SidecarText))] string? CallId,
    [property: JsonConverter(typeof(SidecarText))] string? AgentId,
    [property: JsonConverter(typeof(SidecarText))] string? Team,
    [property: JsonConverter(typeof(SidecarText))] string? Queue,
    [property: JsonConverter(typeof(SidecarText))] string? Direction,
    [property: JsonConverter(typeof(SidecarText))] string? StartTime,
    [property: JsonConverter(typeof(SidecarText))] string? CustomerNumber,
    [property: JsonConverter(typeof(SidecarText))] string? Language,
    [property: JsonConverter(typeof(SidecarText))] string? AgentChannel,
    [property: JsonConverter(typeof(SidecarText))] string? Rubric);

/// <summary>A sidecar field: a JSON string as its text, anything else (1023, true, {...}) as its JSON text.</summary>
internal sealed class SidecarText : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        using var value = JsonDocument.ParseValue(ref reader);
        return value.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, MaxDepth = 16)]
[JsonSerializable(typeof(MetadataSidecar))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext;
