namespace QaPipeline.Storage;

public sealed class TranscriptRecord
{
    public long CallId { get; init; }
    public string Source { get; init; } = "";
    public string? Language { get; init; }
    public double? MinConfidence { get; init; }
    public string Json { get; init; } = "";
    public DateTime CreatedAt { get; init; }
}

public sealed class ScorecardRecord
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public string RubricId { get; init; } = "";
    public string RubricVersion { get; init; } = "";
    public string RubricHash { get; init; } = "";
    public double Score { get; init; }
    public double MaxScore { get; init; }
    public bool Fatal { get; init; }
    public bool IsCurrent { get; init; }
    public string Json { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    /// <summary>The routing rule that chose the rubric ("default", "metadata" for an override); null before routing existed.</summary>
    public string? RoutingRule { get; init; }
}
