using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// Re-scores stored transcripts against a (new) rubric file without transcribing again. Every call gets a new
/// current scorecard and new review flags; the earlier scorecards stay on record. Re-running with the same
/// rubric file changes nothing.
/// </summary>
public static class RescoreCommand
{
    public static Command Create()
    {
        var rubric = new Option<FileInfo>("--rubric") { Description = "Rubric YAML file", Required = true };
        var since = new Option<string?>("--since") { Description = "Only calls that started on or after this date (ISO 8601, UTC)" };
        var cmd = new Command("rescore", "Re-score stored transcripts against a rubric, keeping the old scorecards") { rubric, since };
        cmd.SetAction(p =>
        {
            var file = p.GetValue(rubric)!;
            if (!file.Exists) throw new FileNotFoundException($"rubric not found: {file.FullName}");
            DateTime? from = null;
            if (p.GetValue(since) is { } s)
                from = DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
                    ? d.UtcDateTime : throw new UserInputException($"--since '{s}' is not a date (use e.g. 2026-03-01)");
            using var services = PipelineCli.Services(PipelineCli.Options());
            var scoring = services.GetRequiredService<IRubricScoring>();
            ScoringRubric loaded;
            try { loaded = scoring.Load(file.FullName); }
            catch (PermanentStageFailure e) { throw new UserInputException(e.Message); }
            var stages = services.GetRequiredService<CallStages>();
            var calls = services.GetRequiredService<CallRepository>();
            int created = 0, unchanged = 0, failed = 0;
            var ids = services.GetRequiredService<ResultRepository>().CallsWithTranscripts(from).GetAwaiter().GetResult();
            foreach (var id in ids)
            {
                try
                {
                    var (card, isNew) = stages.ScoreAgainst(id, file.FullName, CancellationToken.None).GetAwaiter().GetResult();
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
            services.GetRequiredService<AuditLog>().Write(Environment.UserName, "rescore", "rubric", loaded.Id,
                $"version {loaded.Version}: {created} new, {unchanged} unchanged, {failed} failed", DateTime.UtcNow).GetAwaiter().GetResult();
            PipelineCli.Print(new
            {
                rubric = loaded.Id, rubric_version = loaded.Version, calls = ids.Count, rescored = created, unchanged, failed,
            });
            return failed > 0 ? 1 : 0;
        });
        return cmd;
    }
}
