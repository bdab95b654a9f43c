using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// <c>qa ingest PATH... [--manifest FILE] [--wait [--timeout SECONDS]]</c>. Without --wait: store the recordings,
/// queue them and print one JSON line per file. With --wait: the one-command way to score a folder — the calls are
/// processed to the end by workers in this process (beside any <c>qa worker</c> nodes of a shared database) and one
/// JSON line per call is printed as it finishes (cli-contract.md); what was ingested goes to stderr.
/// </summary>
public static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Recordings or folders of recordings", Arity = ArgumentArity.OneOrMore };
        var manifest = new Option<FileInfo?>("--manifest")
        {
            Description = "CSV manifest: file,call_id,agent_id,team,queue,direction,start_time,customer_number[,language,agent_channel,rubric]",
        };
        var wait = new Option<bool>("--wait") { Description = "Process the calls to the end and print one JSON line per finished call" };
        var timeout = new Option<double?>("--timeout") { Description = "With --wait: give up after this many seconds (exit 1); default: no limit" };
        var cmd = new Command("ingest", "Store recordings and queue them for processing (prints one JSON line per file, or per scored call with --wait)")
        {
            paths, manifest, wait, timeout,
        };
        cmd.SetAction(p =>
        {
            var options = PipelineCli.Options();
            var manifestFile = p.GetValue(manifest);
            if (manifestFile is { Exists: false }) throw new FileNotFoundException($"manifest not found: {manifestFile.FullName}");
            var limit = p.GetValue(timeout);
            if (limit is { } t && (!double.IsFinite(t) || t <= 0)) throw new UserInputException($"--timeout must be a positive number of seconds (got {t})");
            if (limit is not null && !p.GetValue(wait)) throw new UserInputException("--timeout needs --wait");
            if (!p.GetValue(wait))
            {
                using var services = PipelineCli.Services(options);
                var (_, rejected) = PipelineCli.IngestPaths(services.GetRequiredService<CallIngestor>(), p.GetValue(paths)!, manifestFile?.FullName,
                    PipelineCli.Print, CancellationToken.None).GetAwaiter().GetResult();
                return rejected > 0 ? 2 : 0;
            }
            return IngestAndWait(options, p.GetValue(paths)!, manifestFile?.FullName, limit is { } s ? TimeSpan.FromSeconds(s) : null);
        });
        return cmd;
    }

    private static int IngestAndWait(Centre.PipelineOptions options, string[] paths, string? manifestPath, TimeSpan? timeout)
    {
        using var host = PipelineCli.WorkerHost(options);
        var files = PipelineCli.IngestFiles(host.Services.GetRequiredService<CallIngestor>(), paths, manifestPath, CancellationToken.None)
            .GetAwaiter().GetResult();
        foreach (var f in files.Where(f => f.Result is not null))
            Console.Error.WriteLine($"qa: ingested {f.File} as call {f.Result!.CallId}{(f.Result.Duplicate ? " (already known)" : "")}");
        var ids = files.Where(f => f.Result is not null).Select(f => f.Result!.CallId).ToList();
        var results = host.Services.GetRequiredService<ResultRepository>();
        var failed = 0;
        host.Start();
        var unfinished = PipelineCli.WaitUntilFinished(host, ids, timeout, call =>
        {
            var card = results.CurrentScorecard(call.Id).GetAwaiter().GetResult();
            var ok = call.Status == CallStatus.Scored;
            if (!ok) failed++;
            PipelineCli.Print(FinishedCall(call, card));
            Console.Out.Flush();
        });
        host.StopAsync().GetAwaiter().GetResult();
        var rejected = files.Count(f => f.Result is null);
        if (unfinished.Count > 0)
            Console.Error.WriteLine($"qa: error: --timeout of {timeout!.Value.TotalSeconds:0.#} s passed with {unfinished.Count} call(s) unfinished " +
                                    $"(call_id {string.Join(", ", unfinished)}); they stay queued and finish under qa serve or qa worker");
        if (rejected > 0) Console.Error.WriteLine($"qa: error: {rejected} file(s) rejected (reasons above)");
        return rejected > 0 ? 2 : failed > 0 || unfinished.Count > 0 ? 1 : 0;
    }

    /// <summary>The contract's line for a finished call; routing_rule and language say why that rubric.</summary>
    public static object FinishedCall(CallRecord call, ScorecardRecord? card) => call.Status == CallStatus.Scored
        ? (object)new
        {
            call_id = call.Id, external_call_id = call.ExternalCallId, original_name = call.OriginalName, status = call.Status,
            rubric = card?.RubricId, rubric_version = card?.RubricVersion, score = card?.Score, fatal = card?.Fatal,
            routing_rule = card?.RoutingRule, language = call.Language,
        }
        : new
        {
            call_id = call.Id, external_call_id = call.ExternalCallId, original_name = call.OriginalName, status = call.Status,
            rubric = card?.RubricId, rubric_version = card?.RubricVersion, score = card?.Score, fatal = card?.Fatal,
            routing_rule = card?.RoutingRule, language = call.Language, error = call.FailureReason,
        };
}
