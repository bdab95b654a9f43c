using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Centre.Rubrics;

/// <summary>A call the preview could not re-score (no transcript, a transcript that no longer parses), with why.</summary>
public sealed record ImpactFailure(long CallId, string Reason);

/// <summary>The outcome of an impact preview: the candidate rubric, what would change, and the calls left out.</summary>
public sealed record ImpactPreviewResult(ScoringRubric Rubric, RubricImpact Impact, IReadOnlyList<ImpactFailure> Failures);

/// <summary>
/// A candidate rubric's impact on the stored calls of a period, nothing saved. The pipeline implements it with the
/// score stage's own code (<c>QaPipeline.Pipeline.Stages.RubricImpactPreview</c>); the web app's rubric editor asks
/// through this seam, so it needs neither the stages nor Hangfire.
/// </summary>
public interface IRubricImpactPreview
{
    Task<ImpactPreviewResult> Run(string rubricPath, DateTime? since, DateTime? until, CancellationToken ct = default);
}
