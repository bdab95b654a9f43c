using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa calls list|show|retry|retention</c>: what the pipeline did with each call, re-running parked ones, and applying recording retention now.</summary>
public static class CallsCommand
{
    public static Command Create()
    {
        var calls = new Command("calls", "Calls in the pipeline: list, show, retry parked ones, apply recording retention");

        var status = new Option<string?>("--status") { Description = "pending, processing, scored or failed" };
        var limit = new Option<int>("--limit") { Description = "Most recent N calls", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List calls as JSON lines, newest first") { status, limit };
        list.SetAction(p =>
        {
            var s = p.GetValue(status);
            if (s is not (null or CallStatus.Pending or CallStatus.Processing or CallStatus.Scored or CallStatus.Failed))
                throw new UserInputException($"--status must be pending, processing, scored or failed (got '{s}')");
            using var services = PipelineCli.Services(PipelineCli.Options());
            foreach (var call in services.GetRequiredService<CallRepository>().List(s, p.GetValue(limit)).GetAwaiter().GetResult())
                PipelineCli.Print(CallJson.Summary(call));
            return 0;
        });

        var showId = new Argument<long>("id");
        var show = new Command("show", "One call: metadata, stages with attempts/errors/timings, scorecards, review flags") { showId };
        show.SetAction(p =>
        {
            using var services = PipelineCli.Services(PipelineCli.Options());
            var id = p.GetValue(showId);
            var repo = services.GetRequiredService<CallRepository>();
            var call = repo.Get(id).GetAwaiter().GetResult() ?? throw new UserInputException($"no call {id}");
            PipelineCli.Print(CallJson.Detail(call, repo.Stages(id).GetAwaiter().GetResult(),
                services.GetRequiredService<ResultRepository>().ScorecardHistory(id).GetAwaiter().GetResult(),
                services.GetRequiredService<ReviewFlagRepository>().ForCall(id).GetAwaiter().GetResult()));
            return 0;
        });

        var retryIds = new Argument<long[]>("id") { Arity = ArgumentArity.ZeroOrMore };
        var allFailed = new Option<bool>("--all-failed") { Description = "Retry every parked call" };
        var retry = new Command("retry", "Put parked (failed) calls back in line; running workers pick them up") { retryIds, allFailed };
        retry.SetAction(p =>
        {
            using var services = PipelineCli.Services(PipelineCli.Options());
            var repo = services.GetRequiredService<CallRepository>();
            var ids = p.GetValue(allFailed)
                ? repo.List(CallStatus.Failed, int.MaxValue).GetAwaiter().GetResult().Select(c => c.Id).ToArray()
                : p.GetValue(retryIds) ?? [];
            if (ids.Length == 0 && !p.GetValue(allFailed)) throw new UserInputException("give call ids or --all-failed");
            var audit = services.GetRequiredService<AuditLog>();
            var notParked = 0;
            foreach (var id in ids)
            {
                var ok = repo.Retry(id).GetAwaiter().GetResult();
                if (ok) audit.Write(Environment.UserName, "retry", "call", id.ToString(), "qa calls retry", services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime).GetAwaiter().GetResult();
                else notParked++;
                PipelineCli.Print(new { call_id = id, retried = ok });
            }
            if (notParked > 0) Console.Error.WriteLine($"qa: error: {notParked} of the calls were not parked as failed");
            return notParked > 0 ? 2 : 0;
        });

        var retention = new Command("retention",
            "Delete recordings older than the admin's retention setting now (the worker also does it daily); transcripts and scorecards stay");
        retention.SetAction(_ =>
        {
            using var services = PipelineCli.Services(PipelineCli.Options());
            var outcome = services.GetRequiredService<RecordingRetention>().Run().GetAwaiter().GetResult();
            PipelineCli.Print(new { days = outcome.Days, cutoff = outcome.Cutoff, deleted = outcome.Deleted, already_gone = outcome.AlreadyGone });
            return 0;
        });

        calls.Subcommands.Add(list);
        calls.Subcommands.Add(show);
        calls.Subcommands.Add(retry);
        calls.Subcommands.Add(retention);
        return calls;
    }
}
