using Dapper;

namespace QaPipeline.Storage;

/// <summary>Calls and the state of each pipeline stage. One method per statement; where the engines'
/// dialects differ the SQL for each is written out side by side.</summary>
public sealed class CallRepository(Database db)
{
    private const string Columns = "id, content_hash, store_path, original_name, size_bytes, external_call_id, agent_id, team, " +
                                   "queue, direction, started_at, customer_number, status, failure_reason, ingested_at, queued_at, recording_deleted_at, " +
                                   "language, language_source, agent_channel, rubric_override";

    /// <summary>Registers a stored recording. Returns the call id and false when a call with the same content
    /// hash already existed (a duplicate upload, or two ingests of one file racing each other).</summary>
    public async Task<(long Id, bool Created)> Insert(string contentHash, string storePath, string originalName, long sizeBytes,
        CallMetadata meta, DateTime now, CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                INSERT INTO calls (content_hash, store_path, original_name, size_bytes, external_call_id, agent_id, team, queue,
                                   direction, started_at, customer_number, language, language_source, agent_channel, rubric_override,
                                   status, ingested_at)
                OUTPUT INSERTED.id
                SELECT @ContentHash, @StorePath, @OriginalName, @SizeBytes, @CallId, @AgentId, @Team, @Queue,
                       @Direction, @StartedAt, @CustomerNumber, @Language, @LanguageSource, @AgentChannel, @Rubric, 'pending', @Now
                WHERE NOT EXISTS (SELECT 1 FROM calls WITH (UPDLOCK, HOLDLOCK) WHERE content_hash = @ContentHash)
                """,
            _ => """
                INSERT INTO calls (content_hash, store_path, original_name, size_bytes, external_call_id, agent_id, team, queue,
                                   direction, started_at, customer_number, language, language_source, agent_channel, rubric_override,
                                   status, ingested_at)
                VALUES (@ContentHash, @StorePath, @OriginalName, @SizeBytes, @CallId, @AgentId, @Team, @Queue,
                        @Direction, @StartedAt, @CustomerNumber, @Language, @LanguageSource, @AgentChannel, @Rubric, 'pending', @Now)
                ON CONFLICT (content_hash) DO NOTHING
                RETURNING id
                """,
        };
        var args = new
        {
            ContentHash = contentHash, StorePath = storePath, OriginalName = originalName, SizeBytes = sizeBytes,
            meta.CallId, meta.AgentId, meta.Team, meta.Queue, meta.Direction, meta.StartedAt, meta.CustomerNumber,
            meta.Language, LanguageSource = meta.Language is null ? null : LanguageSource.Metadata, meta.AgentChannel, meta.Rubric, Now = now,
        };
        var id = await db.Run(c => c.ExecuteScalarAsync<long?>(sql, args), ct);
        if (id is not null) return (id.Value, true);
        var existing = await FindByHash(contentHash, ct)
                       ?? throw new InvalidOperationException($"call with hash {contentHash} vanished during insert");
        return (existing.Id, false);
    }

    public Task<CallRecord?> FindByHash(string contentHash, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<CallRecord>(
            $"SELECT {Columns} FROM calls WHERE content_hash = @contentHash", new { contentHash }), ct);

    public Task<CallRecord?> Get(long id, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<CallRecord>($"SELECT {Columns} FROM calls WHERE id = @id", new { id }), ct);

    public async Task<IReadOnlyList<CallRecord>> List(string? status, int limit, CancellationToken ct = default)
    {
        var sql = db.Engine == DatabaseEngine.SqlServer
            ? $"SELECT TOP (@limit) {Columns} FROM calls WHERE (@status IS NULL OR status = @status) ORDER BY id DESC"
            : $"SELECT {Columns} FROM calls WHERE (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit";
        return (await db.Run(c => c.QueryAsync<CallRecord>(sql, new { status, limit }), ct)).AsList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStatus(CancellationToken ct = default)
    {
        var rows = await db.Run(c => c.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM calls GROUP BY status"), ct);
        return rows.ToDictionary(r => r.Status, r => r.Count);
    }

    /// <summary>
    /// Ids of calls that still need work but sit in no worker queue (new, retried, or left over from a queue that
    /// did not survive a restart), in the order they should enter the pipeline: calls a person waits for first,
    /// then a fair share across teams — each team's oldest waiting call, then each team's second, and so on — so a
    /// night's burst from one team does not hold back another team's calls.
    /// </summary>
    public async Task<IReadOnlyList<long>> Unqueued(int limit, CancellationToken ct = default)
    {
        var (top, tail) = db.Engine == DatabaseEngine.SqlServer ? ("TOP (@limit) ", "") : ("", " LIMIT @limit");
        var sql = $"""
            SELECT {top}id FROM (
                SELECT id, priority, ROW_NUMBER() OVER (PARTITION BY COALESCE(team, '') ORDER BY id) AS turn
                FROM calls WHERE status IN ('pending', 'processing') AND queued_at IS NULL
            ) waiting
            ORDER BY priority DESC, turn, id{tail}
            """;
        return (await db.Run(c => c.QueryAsync<long>(sql, new { limit }), ct)).AsList();
    }

    /// <summary>Calls handed to the workers and not finished yet: what the sweeper keeps to a short window, so
    /// that the order above still decides what runs next.</summary>
    public Task<long> InFlight(CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM calls WHERE status IN ('pending', 'processing') AND queued_at IS NOT NULL"), ct);

    /// <summary>Marks a call as one a person is waiting for (uploaded through the web, re-run by an admin): it
    /// enters the pipeline before the backlog.</summary>
    public Task Prioritise(long id, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calls SET priority = 1 WHERE id = @id", new { id }), ct);

    /// <summary>Unfinished calls not yet handed to the workers, and when the oldest unfinished call arrived:
    /// the operator's backlog figures.</summary>
    public Task<(long Waiting, DateTime? OldestIngestedAt)> Backlog(CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleAsync<(long, DateTime?)>("""
            SELECT COALESCE(SUM(CASE WHEN queued_at IS NULL THEN 1 ELSE 0 END), 0), MIN(ingested_at)
            FROM calls WHERE status IN ('pending', 'processing')
            """), ct);

    /// <summary>Takes a call for enqueueing; false when another node took it first (so it is enqueued once).</summary>
    public async Task<bool> ClaimForQueue(long id, DateTime now, CancellationToken ct = default) =>
        await db.Run(c => c.ExecuteAsync(
            "UPDATE calls SET queued_at = @now WHERE id = @id AND queued_at IS NULL", new { id, now }), ct) == 1;

    public Task ReleaseClaim(long id, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calls SET queued_at = NULL WHERE id = @id", new { id }), ct);

    /// <summary>
    /// Gives back the queue claim of calls that are stuck: claimed, unfinished, no stage running and nothing
    /// started or finished since <paramref name="before"/> — the job for their next stage was lost (seen after
    /// a database outage). The sweeper enqueues them again; the stages skip what is already done.
    /// </summary>
    public Task<int> ReleaseStalled(DateTime before, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("""
            UPDATE calls SET queued_at = NULL
            WHERE status IN ('pending', 'processing') AND queued_at IS NOT NULL AND queued_at < @before
              AND NOT EXISTS (SELECT 1 FROM call_stages s WHERE s.call_id = calls.id
                              AND (s.state = 'running' OR s.started_at >= @before OR s.finished_at >= @before))
            """, new { before }), ct);

    /// <summary>The in-memory queue (SQLite mode) starts empty: every unfinished call must be enqueued again.</summary>
    public Task<int> ReleaseQueueClaims(CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calls SET queued_at = NULL WHERE status IN ('pending', 'processing')"), ct);

    // Status only moves forward (pending → processing → scored): a duplicate or late job — Hangfire runs a job
    // at least once, and after an outage two copies may overlap — can never move a scored call back.
    public Task MarkProcessing(long id, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calls SET status = 'processing' WHERE id = @id AND status = 'pending'", new { id }), ct);

    public Task MarkScored(long id, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync(
            "UPDATE calls SET status = 'scored', failure_reason = NULL WHERE id = @id AND status IN ('pending', 'processing')", new { id }), ct);

    /// <summary>Parks a call: it stays failed with its reason, visible in <c>qa calls list --status failed</c>,
    /// until <see cref="Retry"/>.</summary>
    public Task Park(long id, string stage, string reason, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync(
            "UPDATE calls SET status = 'failed', failure_reason = @reason WHERE id = @id",
            new { id, reason = $"{stage}: {reason}" }), ct);

    /// <summary>Puts a parked call back in line: failed stages become pending, the sweeper enqueues it again.</summary>
    /// <param name="personWaiting">A re-run from the admin page: someone is looking at it, so it goes before the backlog.</param>
    public Task<bool> Retry(long id, bool personWaiting = false, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            var changed = await c.ExecuteAsync("""
                UPDATE calls SET status = 'pending', failure_reason = NULL, queued_at = NULL,
                                 priority = CASE WHEN @personWaiting = 1 THEN 1 ELSE priority END
                WHERE id = @id AND status = 'failed'
                """, new { id, personWaiting = personWaiting ? 1 : 0 }, tx);
            if (changed == 0) return false;
            await c.ExecuteAsync("UPDATE call_stages SET state = 'pending' WHERE call_id = @id AND state IN ('failed', 'running')",
                new { id }, tx);
            return true;
        }, ct);

    /// <summary>
    /// Calls whose recording is older than the retention cut-off (by when the call took place, else when it arrived)
    /// and no longer needed by work in progress: finished (scored or parked), no open dispute, no review being
    /// drafted, not in a calibration session that has not closed.
    /// </summary>
    public async Task<IReadOnlyList<(long Id, string StorePath)>> RecordingsPastRetention(DateTime before, int limit,
        CancellationToken ct = default)
    {
        var (top, tail) = db.Engine == DatabaseEngine.SqlServer ? ("TOP (@limit) ", "") : ("", " LIMIT @limit");
        var sql = $"""
            SELECT {top}c.id, c.store_path FROM calls c
            WHERE c.recording_deleted_at IS NULL AND c.status IN ('scored', 'failed') AND COALESCE(c.started_at, c.ingested_at) < @before
              AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.call_id = c.id AND d.status = 'open')
              AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id AND r.status = 'draft')
              AND NOT EXISTS (SELECT 1 FROM calibration_calls k JOIN calibration_sessions s ON s.id = k.session_id
                              WHERE k.call_id = c.id AND s.status <> 'closed')
            ORDER BY c.id{tail}
            """;
        return (await db.Run(c => c.QueryAsync<(long, string)>(sql, new { before, limit }), ct)).AsList();
    }

    /// <summary>Stores the language found for a call that came without one (from its transcript or Whisper).
    /// A language the metadata gave is never replaced.</summary>
    public Task SetLanguage(long id, string language, string source, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync(
            "UPDATE calls SET language = @language, language_source = @source WHERE id = @id AND (language IS NULL OR language_source <> 'metadata')",
            new { id, language, source }), ct);

    public Task MarkRecordingDeleted(long id, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calls SET recording_deleted_at = @now WHERE id = @id", new { id, now }), ct);

    /// <summary>Records that a stage began (or began again after a crash): attempts counts every start.</summary>
    public Task StageStarted(long callId, string stage, DateTime now, CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                MERGE call_stages WITH (HOLDLOCK) AS s
                USING (SELECT @callId AS call_id, @stage AS stage) AS k ON s.call_id = k.call_id AND s.stage = k.stage
                WHEN MATCHED THEN UPDATE SET state = 'running', attempts = s.attempts + 1, started_at = @now, finished_at = NULL, duration_ms = NULL
                WHEN NOT MATCHED THEN INSERT (call_id, stage, state, attempts, started_at) VALUES (@callId, @stage, 'running', 1, @now);
                """,
            _ => """
                INSERT INTO call_stages (call_id, stage, state, attempts, started_at) VALUES (@callId, @stage, 'running', 1, @now)
                ON CONFLICT (call_id, stage) DO UPDATE
                SET state = 'running', attempts = call_stages.attempts + 1, started_at = @now, finished_at = NULL, duration_ms = NULL
                """,
        };
        return db.Run(c => c.ExecuteAsync(sql, new { callId, stage, now }), ct);
    }

    /// <summary>Records how a stage ended: succeeded, skipped (nothing to do, e.g. transcript imported) or failed.</summary>
    public Task StageFinished(long callId, string stage, string state, long durationMs, string? error, DateTime now,
        CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                MERGE call_stages WITH (HOLDLOCK) AS s
                USING (SELECT @callId AS call_id, @stage AS stage) AS k ON s.call_id = k.call_id AND s.stage = k.stage
                WHEN MATCHED THEN UPDATE SET state = @state, last_error = @error, finished_at = @now, duration_ms = @durationMs
                WHEN NOT MATCHED THEN INSERT (call_id, stage, state, attempts, last_error, started_at, finished_at, duration_ms)
                                      VALUES (@callId, @stage, @state, 1, @error, @now, @now, @durationMs);
                """,
            _ => """
                INSERT INTO call_stages (call_id, stage, state, attempts, last_error, started_at, finished_at, duration_ms)
                VALUES (@callId, @stage, @state, 1, @error, @now, @now, @durationMs)
                ON CONFLICT (call_id, stage) DO UPDATE
                SET state = @state, last_error = @error, finished_at = @now, duration_ms = @durationMs
                """,
        };
        return db.Run(c => c.ExecuteAsync(sql, new { callId, stage, state, durationMs, error, now }), ct);
    }

    public async Task<IReadOnlyList<StageRecord>> Stages(long callId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<StageRecord>(
            "SELECT call_id, stage, state, attempts, last_error, started_at, finished_at, duration_ms FROM call_stages WHERE call_id = @callId",
            new { callId }), ct))
        .OrderBy(s => Array.IndexOf(Stage.All, s.Stage)).ToList();

    /// <summary>When each scored call arrived and when its last stage finished, in the order they were scored: the
    /// latency figures of <c>qa bench pipeline</c>.</summary>
    public async Task<IReadOnlyList<(long Id, DateTime IngestedAt, DateTime ScoredAt)>> ScoredTimes(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(long, DateTime, DateTime)>("""
            SELECT c.id, c.ingested_at, s.finished_at FROM calls c JOIN call_stages s ON s.call_id = c.id AND s.stage = 'flag'
            WHERE c.status = 'scored' AND s.finished_at IS NOT NULL ORDER BY s.finished_at
            """), ct)).AsList();

    /// <summary>Per-stage timing over all calls, for <c>qa bench pipeline</c> and the operator's view.</summary>
    public async Task<IReadOnlyList<StageTiming>> StageTimings(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<StageTiming>("""
            SELECT stage, state, COUNT(*) AS calls, AVG(CAST(duration_ms AS DOUBLE PRECISION)) AS mean_ms, MAX(duration_ms) AS max_ms,
                   SUM(attempts) AS attempts
            FROM call_stages GROUP BY stage, state
            """.Replace("DOUBLE PRECISION", db.Engine == DatabaseEngine.SqlServer ? "FLOAT" : "DOUBLE PRECISION")), ct))
        .OrderBy(s => Array.IndexOf(Stage.All, s.Stage)).ThenBy(s => s.State).ToList();
}

public sealed class StageTiming
{
    public string Stage { get; init; } = "";
    public string State { get; init; } = "";
    public long Calls { get; init; }
    public double? MeanMs { get; init; }
    public long? MaxMs { get; init; }
    public long Attempts { get; init; }
}
