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

    /// <summary>The pipeline's services without workers, the schema up to date: for commands that read or write the
    /// database directly without running a host.</summary>
    public static ServiceProvider Services(PipelineOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipeline(options, workers: false);
        return services.BuildServiceProvider().MigrateDatabase();
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
