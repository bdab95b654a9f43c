using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;

namespace QaPipeline.Cli.Commands;

/// <summary>What the pipeline commands share: options from the environment, the services, JSON output.</summary>
internal static class PipelineCli
{
    public static PipelineOptions Options()
    {
        try
        {
            return PipelineOptions.FromEnvironment();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UserInputException(e.Message);
        }
    }

    /// <summary>The pipeline's services without workers: for commands that read or write the database directly.</summary>
    public static ServiceProvider Services(PipelineOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipeline(options, workers: false);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// A date option (ISO 8601, UTC unless it names an offset). A period's end given as a bare date means the
    /// whole of that day (<c>--to 2026-03-31</c> includes calls on the 31st), so it becomes the next midnight.
    /// </summary>
    public static DateTime? Date(string option, string? text, bool endOfPeriod = false)
    {
        if (text is null) return null;
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var d))
            throw new UserInputException($"{option} '{text}' is not a date (use e.g. 2026-03-01)");
        var bareDate = System.Text.RegularExpressions.Regex.IsMatch(text.Trim(), @"^\d{4}-\d{2}-\d{2}$");
        return endOfPeriod && bareDate ? d.UtcDateTime.AddDays(1) : d.UtcDateTime;
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Print(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Ingests files and folders (a folder: every recording in it, metadata from sidecars or its manifest.csv).</summary>
    public static async Task<(int Ingested, int Rejected)> IngestPaths(CallIngestor ingestor, IEnumerable<string> paths, string? manifestPath,
        Action<object> report, CancellationToken ct)
    {
        var explicitManifest = manifestPath is null ? null : Sidecars.LoadManifest(manifestPath);
        int ok = 0, rejected = 0;
        foreach (var path in paths)
        {
            var files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path).Where(f => !Sidecars.IsSidecar(f)).Order(StringComparer.Ordinal).ToList()
                : File.Exists(path) ? [path] : throw new UserInputException($"no such file or folder: {path}");
            foreach (var file in files)
            {
                try
                {
                    var folderManifest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Sidecars.ManifestName);
                    var manifest = explicitManifest ?? (File.Exists(folderManifest) ? Sidecars.LoadManifest(folderManifest) : null);
                    await using var audio = File.OpenRead(file);
                    var result = await ingestor.Ingest(new IngestRequest(audio, Path.GetFileName(file), Sidecars.Metadata(file, manifest),
                        Sidecars.Transcript(file), "cli"), ct);
                    report(new
                    {
                        file, call_id = result.CallId, duplicate = result.Duplicate, content_hash = result.ContentHash,
                        imported_transcript = result.ImportedTranscript,
                    });
                    ok++;
                }
                catch (Exception e) when (e is RecordingRejectedException or FormatException or StoreFullException)
                {
                    Console.Error.WriteLine($"qa: rejected {file}: {CliRunner.OneLine(e.Message)}");
                    report(new { file, error = CliRunner.OneLine(e.Message) });
                    rejected++;
                }
            }
        }
        return (ok, rejected);
    }
}
