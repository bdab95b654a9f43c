using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// Re-scores the stored transcripts of a period with a candidate rubric, through the score stage's own code
/// (<see cref="CallStages.ScoreStored"/>), and compares each result with the call's current scorecard — saving
/// nothing. <c>qa rescore --dry-run</c> and the browser's impact preview both run this.
/// </summary>
public sealed class RubricImpactPreview(CallStages stages, CallRepository calls, ResultRepository results) : IRubricImpactPreview
{
    public async Task<ImpactPreviewResult> Run(string rubricPath, DateTime? since, DateTime? until, CancellationToken ct = default)
    {
        var rubric = stages.LoadRubric(rubricPath);
        var impact = new RubricImpact();
        var failures = new List<ImpactFailure>();
        foreach (var id in await results.CallsWithTranscripts(since, until, ct))
        {
            var current = await results.CurrentScorecard(id, ct);
            if (current is null) continue; // never scored (parked before scoring): nothing to compare with
            var call = await calls.Get(id, ct);
            try
            {
                var candidate = await stages.ScoreStored(id, rubric, ct);
                var change = ScorecardChange.Between(ScorecardJson.Parse(current.Json), ScorecardJson.Parse(candidate.Json));
                impact.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture), call?.AgentId, call?.Team, change);
            }
            catch (Exception e) when (e is PermanentStageFailure or FormatException)
            {
                failures.Add(new ImpactFailure(id, e.Message));
            }
        }
        return new ImpactPreviewResult(rubric, impact, failures);
    }
}
