namespace QaPipeline.Storage;

/// <summary>A monitor's review of a call: a draft is the claim on it, a submitted one holds the human final score.</summary>
public sealed class ReviewRow
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public long ScorecardId { get; init; }
    public long ReviewerId { get; init; }
    public string ReviewerName { get; init; } = "";
    public string Status { get; init; } = "";
    public double? FinalScore { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? SubmittedAt { get; init; }
    public DateTime? AcknowledgedAt { get; init; }

    /// <summary>Set when a monitor of the team or an admin reopened this finalised review (who, when, why); a
    /// submitted review without it is closed.</summary>
    public DateTime? ReopenedAt { get; init; }
    public string? ReopenedByName { get; init; }
    public string? ReopenReason { get; init; }
}

/// <summary>A person's verdict on one item beside the machine's.</summary>
public sealed class HumanVerdictRow
{
    public long ReviewId { get; init; }
    public string ItemId { get; init; } = "";
    public string MachineVerdict { get; init; } = "";
    public string HumanVerdict { get; init; } = "";
    public double Deduction { get; init; }
    public string? Note { get; init; }
}

/// <summary>One item's verdicts as a review stores them.</summary>
public sealed record ItemDecision(string ItemId, string MachineVerdict, string HumanVerdict, double Deduction, string? Note = null);

public sealed class CommentRow
{
    public long Id { get; init; }
    public string AuthorName { get; init; } = "";
    public double? AtSeconds { get; init; }
    public string Body { get; init; } = "";
    public DateTime CreatedAt { get; init; }
}

/// <summary>Everything people said about one call: reviews (oldest first), their item verdicts, comments, disputes.</summary>
public sealed record CallReviewRecords(
    IReadOnlyList<ReviewRow> Reviews,
    IReadOnlyList<HumanVerdictRow> Verdicts,
    IReadOnlyList<CommentRow> Comments,
    IReadOnlyList<DisputeRow> Disputes);
