using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// One Hangfire queue per stage, so that a worker takes a call's later stage before another call's earlier one
/// (depth-first): a call that has been analysed is transcribed, scored and flagged before the next call is
/// analysed, and results arrive one by one instead of all at the end of a backlog.
/// <para>Workers fetch from their queues in priority order, but the storages disagree on what that order is:
/// Hangfire.InMemory takes the order the node lists them in, Hangfire.PostgreSql and SQL Server the alphabetical
/// order of the names. The names below sort in priority order, and <see cref="ForRoles"/> lists them sorted, so
/// every engine agrees.</para>
/// <para>A node takes work by role (QA_QUEUES): <c>asr</c> is transcription only (an ASR node with the GPU),
/// <c>default</c> is every other stage plus the maintenance jobs (retraining, retention).</para>
/// </summary>
public static class StageQueues
{
    public const string Flag = "1_flag";
    public const string Score = "2_score";
    public const string Transcribe = "3_asr";
    public const string Analyse = "4_analyse";

    /// <summary>Hangfire's own default queue: the recurring maintenance jobs, after every stage.</summary>
    public const string Maintenance = "default";

    /// <summary>Where the transcription jobs of releases before per-stage queues wait: still drained by ASR nodes.</summary>
    private const string LegacyAsr = "asr";

    /// <summary>Stage name → its queue, for the operator's view of queue depth per stage.</summary>
    public static readonly IReadOnlyList<(string Stage, string Queue)> ByStage =
    [
        (Stage.Analyse, Analyse), (Stage.Transcribe, Transcribe), (Stage.Score, Score), (Stage.Flag, Flag),
    ];

    /// <summary>The queues a node with these roles listens on, in priority order. A name that is neither role is
    /// taken as a queue name, so an operator can still list queues one by one.</summary>
    public static string[] ForRoles(IEnumerable<string> roles) =>
        roles.SelectMany(role => role switch
            {
                "asr" => [Transcribe, LegacyAsr],
                "default" => new[] { Flag, Score, Analyse, Maintenance },
                _ => [role],
            })
            .Distinct().Order(StringComparer.Ordinal).ToArray();
}
