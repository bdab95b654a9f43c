namespace QaPipeline.Centre.Rubrics;

/// <summary>A rubric ready to score with, identified by id, version and the hash of its file.</summary>
public sealed record ScoringRubric(string Id, string Version, string Hash, QaPipeline.Scoring.Rubrics.Rubric Loaded);
