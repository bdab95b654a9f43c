namespace QaPipeline.Storage;

public sealed class ReviewFlagRecord
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public long ScorecardId { get; init; }
    public string Reason { get; init; } = "";
    public string? Detail { get; init; }
    public string Status { get; init; } = "";
    public DateTime CreatedAt { get; init; }
}
