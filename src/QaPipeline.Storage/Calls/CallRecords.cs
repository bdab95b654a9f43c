namespace QaPipeline.Storage;

/// <summary>What the telephony platform tells us about a call (sidecar JSON, CSV manifest or upload form).</summary>
public sealed record CallMetadata(
    string? CallId = null,
    string? AgentId = null,
    string? Team = null,
    string? Queue = null,
    string? Direction = null,
    DateTime? StartedAt = null,
    string? CustomerNumber = null);

/// <summary>The stages in the order a call goes through them.</summary>
public static class Stage
{
    public const string Ingest = "ingest";
    public const string Analyse = "analyse";
    public const string Transcribe = "transcribe";
    public const string Score = "score";
    public const string Flag = "flag";

    public static readonly string[] All = [Ingest, Analyse, Transcribe, Score, Flag];
}

/// <summary>Where a call stands overall: pending (waiting for a worker), processing, scored, or failed
/// (parked with its reason until someone retries it).</summary>
public static class CallStatus
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Scored = "scored";
    public const string Failed = "failed";
}

public sealed class CallRecord
{
    public long Id { get; init; }
    public string ContentHash { get; init; } = "";
    public string StorePath { get; init; } = "";
    public string OriginalName { get; init; } = "";
    public long SizeBytes { get; init; }
    public string? ExternalCallId { get; init; }
    public string? AgentId { get; init; }
    public string? Team { get; init; }
    public string? Queue { get; init; }
    public string? Direction { get; init; }
    public DateTime? StartedAt { get; init; }
    public string? CustomerNumber { get; init; }
    public string Status { get; init; } = "";
    public string? FailureReason { get; init; }
    public DateTime IngestedAt { get; init; }
    public DateTime? QueuedAt { get; init; }
    /// <summary>When retention deleted the audio file; null while it is in the store.</summary>
    public DateTime? RecordingDeletedAt { get; init; }
}

public sealed class StageRecord
{
    public long CallId { get; init; }
    public string Stage { get; init; } = "";
    public string State { get; init; } = "";
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public long? DurationMs { get; init; }
}
