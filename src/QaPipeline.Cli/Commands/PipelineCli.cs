using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QaPipeline.Centre;
using QaPipeline.Centre.Configuration;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Cli.Commands;

/// <summary>What the pipeline commands share: options from the environment, the services, JSON output.</summary>
internal static class PipelineCli
{
    /// <summary>The services' options from the QA_* variables, checked before the command does anything.</summary>
    public static PipelineOptions Options() => Checked(() => QaConfiguration.Options(QaConfiguration.Environment()));

    /// <summary>The QA_* variables themselves (for the commands that use one outside the pipeline's options).</summary>
    public static QaVariables Variables() => Checked(() => QaConfiguration.Variables(QaConfiguration.Environment()));

    private static T Checked<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException e)
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

    /// <summary>A node that works the queue in this process until the command is done (run-samples, ingest --wait).</summary>
    public static IHost WorkerHost(PipelineOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        ServeCommand.LogToStderr(builder.Logging);
        builder.Services.AddPipeline(options, workers: true);
        var host = builder.Build();
        // Recordings go in before the workers start; the schema must be there first.
        host.Services.MigrateDatabase();
        return host;
    }

    /// <summary>
    /// Waits, with the host's workers running, until each call is scored or parked, and hands each to
    /// <paramref name="finished"/> as it finishes (in the order they finish). Returns the ids still unfinished when
    /// <paramref name="timeout"/> (null = none) passed.
    /// </summary>
    public static IReadOnlyList<long> WaitUntilFinished(IHost host, IEnumerable<long> callIds, TimeSpan? timeout, Action<CallRecord> finished)
    {
        var calls = host.Services.GetRequiredService<CallRepository>();
        var waiting = callIds.Distinct().ToList();
        var watch = Stopwatch.StartNew();
        host.Services.GetRequiredService<QueueSweeper>().Wake();
        while (waiting.Count > 0)
        {
            foreach (var id in waiting.ToList())
            {
                var call = calls.Get(id).GetAwaiter().GetResult();
                if (call is null || call.Status is CallStatus.Scored or CallStatus.Failed)
                {
                    waiting.Remove(id);
                    if (call is not null) finished(call);
                }
            }
            if (waiting.Count == 0 || (timeout is { } limit && watch.Elapsed > limit)) break;
            Thread.Sleep(200);
        }
        return waiting;
    }

    /// <summary>One recording of a folder or file list as ingested (or rejected, with the reason).</summary>
    public sealed record IngestedFile(string File, IngestResult? Result, string? Error);

    /// <summary>Ingests files and folders (a folder: every recording in it, metadata from sidecars or its manifest.csv).</summary>
    public static async Task<(int Ingested, int Rejected)> IngestPaths(CallIngestor ingestor, IEnumerable<string> paths, string? manifestPath,
        Action<object> report, CancellationToken ct)
    {
        var files = await IngestFiles(ingestor, paths, manifestPath, ct);
        foreach (var f in files)
            report(f.Result is { } result
                ? new
                {
                    file = f.File, call_id = result.CallId, duplicate = result.Duplicate, content_hash = result.ContentHash,
                    imported_transcript = result.ImportedTranscript,
                }
                : new { file = f.File, error = f.Error });
        return (files.Count(f => f.Result is not null), files.Count(f => f.Result is null));
    }

    public static async Task<IReadOnlyList<IngestedFile>> IngestFiles(CallIngestor ingestor, IEnumerable<string> paths, string? manifestPath,
        CancellationToken ct)
    {
        var explicitManifest = manifestPath is null ? null : Sidecars.LoadManifest(manifestPath);
        var done = new List<IngestedFile>();
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
                    done.Add(new IngestedFile(file, result, null));
                }
                catch (Exception e) when (e is RecordingRejectedException or FormatException or StoreFullException)
                {
                    Console.Error.WriteLine($"qa: rejected {file}: {CliRunner.OneLine(e.Message)}");
                    done.Add(new IngestedFile(file, null, CliRunner.OneLine(e.Message)));
                }
            }
        }
        return done;
    }
}
