namespace QaPipeline.Storage;

/// <summary>What the telephony platform tells us about a call (sidecar JSON, CSV manifest or upload form), and what
/// it knows about the recording: its <see cref="Language"/> (zh, en), the <see cref="AgentChannel"/> (left, right,
/// mono) and a <see cref="Rubric"/> id that overrides routing.</summary>
public sealed record CallMetadata(
    string? CallId = null,
    string? AgentId = null,
    string? Team = null,
    string? Queue = null,
    string? Direction = null,
    DateTime? StartedAt = null,
    string? CustomerNumber = null,
    string? Language = null,
    string? AgentChannel = null,
    string? Rubric = null);

/// <summary>Where a call's stored language came from.</summary>
public static class LanguageSource
{
    public const string Metadata = "metadata";
    public const string Transcript = "transcript";
    public const string Whisper = "whisper";
}

/// <summary>The channel layouts a recording may have: the agent on the left or right of a stereo file, or both
/// parties mixed on one channel.</summary>
public static class AgentChannels
{
    public const string Left = "left";
    public const string Right = "right";
    public const string Mono = "mono";

    public static readonly string[] All = [Left, Right, Mono];
}

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
    /// <summary>zh or en: given with the call, else found from its transcript (null until then).</summary>
    public string? Language { get; init; }
    public string? LanguageSource { get; init; }
    /// <summary>left, right or mono as the metadata said; null = the default (agent on the left).</summary>
    public string? AgentChannel { get; init; }
    /// <summary>A rubric id the metadata named for this call; null = routing chooses.</summary>
    public string? RubricOverride { get; init; }
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
