using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// Re-scores stored transcripts without transcribing again: against the given rubric file, or — without
/// <c>--rubric</c> — against the rubric the current routing table (and rubric files) choose for each call, so a
/// routing change or a new rubric version reaches the calls already scored. A call that gets a new scorecard gets
/// new review flags; the earlier scorecards stay on record. Re-running with the same files changes nothing.
/// </summary>
public static class RescoreCommand
{
    /// <summary>The routing rule a scorecard records when <c>qa rescore --rubric</c> chose its rubric by hand.</summary>
    public const string RescoreRule = "qa rescore --rubric";

    public static Command Create()
    {
        var rubric = new Option<FileInfo?>("--rubric") { Description = "Rubric YAML file for every call (default: each call re-routed by routing.yaml)" };
        var since = new Option<string?>("--since") { Description = "Only calls that started on or after this date (ISO 8601, UTC)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Save nothing: print what the rubric would change (verdict flips per item, score change)" };
        var cmd = new Command("rescore", "Re-score stored transcripts (re-routed, or against one rubric), keeping the old scorecards") { rubric, since, dryRun };
        cmd.SetAction(p =>
        {
            var file = p.GetValue(rubric);
            if (file is { Exists: false }) throw new FileNotFoundException($"rubric not found: {file.FullName}");
            if (p.GetValue(dryRun) && file is null) throw new UserInputException("--dry-run compares against a candidate rubric: give it with --rubric FILE");
            var from = PipelineCli.Date("--since", p.GetValue(since));
            using var services = PipelineCli.Services(PipelineCli.Options());
            if (p.GetValue(dryRun)) return DryRun(services, file!.FullName, from);
            var scoring = services.GetRequiredService<IRubricScoring>();
            ScoringRubric? loaded = null;
            if (file is not null)
            {
                try { loaded = scoring.Load(file.FullName); }
                catch (PermanentStageFailure e) { throw new UserInputException(e.Message); }
            }
            else
            {
                // A broken routing table is the user's to fix before anything is re-scored, not 120 parked calls.
                try { services.GetRequiredService<RubricLibrary>().Routing(); }
                catch (FormatException e) { throw new UserInputException(e.Message); }
            }
            var stages = services.GetRequiredService<CallStages>();
            var calls = services.GetRequiredService<CallRepository>();
            int created = 0, unchanged = 0, failed = 0;
            var byRubric = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var ids = services.GetRequiredService<ResultRepository>().CallsWithTranscripts(from).GetAwaiter().GetResult();
            foreach (var id in ids)
            {
                try
                {
                    var (card, isNew) = file is not null
                        ? stages.ScoreAgainst(id, file.FullName, CancellationToken.None, RescoreRule).GetAwaiter().GetResult()
                        : stages.RouteAndScore(calls.Get(id).GetAwaiter().GetResult()!, CancellationToken.None).GetAwaiter().GetResult();
                    byRubric[card.RubricId] = byRubric.GetValueOrDefault(card.RubricId) + 1;
                    if (isNew)
                    {
                        stages.FlagScorecard(calls.Get(id).GetAwaiter().GetResult()!, card, CancellationToken.None).GetAwaiter().GetResult();
                        created++;
                    }
                    else unchanged++;
                }
                catch (Exception e) when (e is PermanentStageFailure or FormatException)
                {
                    Console.Error.WriteLine($"qa: call {id} not rescored: {CliRunner.OneLine(e.Message)}");
                    failed++;
                }
            }
            services.GetRequiredService<AuditLog>().Write(Environment.UserName, "rescore", "rubric", loaded?.Id ?? "routing",
                $"{(loaded is null ? "re-routed" : $"version {loaded.Version}")}: {created} new, {unchanged} unchanged, {failed} failed",
                services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime).GetAwaiter().GetResult();
            PipelineCli.Print(new
            {
                rubric = loaded?.Id, rubric_version = loaded?.Version, calls = ids.Count, rescored = created, unchanged, failed,
                calls_per_rubric = byRubric,
            });
            return failed > 0 ? 1 : 0;
        });
        return cmd;
    }

    /// <summary>The impact preview on the command line: the contract's JSON, nothing stored, nothing audited.</summary>
    private static int DryRun(IServiceProvider services, string rubricPath, DateTime? since)
    {
        ImpactPreviewResult preview;
        try { preview = services.GetRequiredService<RubricImpactPreview>().Run(rubricPath, since, null).GetAwaiter().GetResult(); }
        catch (PermanentStageFailure e) { throw new UserInputException(e.Message); }
        foreach (var failure in preview.Failures)
            Console.Error.WriteLine($"qa: call {failure.CallId} not re-scored: {CliRunner.OneLine(failure.Reason)}");
        var impact = preview.Impact;
        PipelineCli.Print(new
        {
            rubric = preview.Rubric.Id, rubric_version = preview.Rubric.Version, calls = impact.Calls, changed_calls = impact.ChangedCalls,
            items_flipped = impact.ItemsFlipped,
            score_delta = new { mean = impact.Overall.Mean, min = impact.Overall.Min, max = impact.Overall.Max },
        });
        return 0;
    }
}
