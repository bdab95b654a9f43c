using Dapper;

namespace QaPipeline.Storage;

/// <summary>What the stages produce: transcripts, acoustic facts and scorecards (with their history).
/// Writes are insert-if-absent so a stage that runs twice stores its result once.</summary>
public sealed class ResultRepository(Database db)
{
    public Task SaveTranscript(long callId, string source, string? language, double? minConfidence, string json, DateTime now,
        CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                INSERT INTO transcripts (call_id, source, language, min_confidence, json, created_at)
                SELECT @callId, @source, @language, @minConfidence, @json, @now
                WHERE NOT EXISTS (SELECT 1 FROM transcripts WITH (UPDLOCK, HOLDLOCK) WHERE call_id = @callId)
                """,
            _ => """
                INSERT INTO transcripts (call_id, source, language, min_confidence, json, created_at)
                VALUES (@callId, @source, @language, @minConfidence, @json, @now)
                ON CONFLICT (call_id) DO NOTHING
                """,
        };
        return db.Run(c => c.ExecuteAsync(sql, new { callId, source, language, minConfidence, json, now }), ct);
    }

    public Task<TranscriptRecord?> Transcript(long callId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<TranscriptRecord>(
            "SELECT call_id, source, language, min_confidence, json, created_at FROM transcripts WHERE call_id = @callId",
            new { callId }), ct);

    public Task SaveAcousticFacts(long callId, double durationSeconds, string json, DateTime now, CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                INSERT INTO acoustic_facts (call_id, duration_s, json, created_at)
                SELECT @callId, @durationSeconds, @json, @now
                WHERE NOT EXISTS (SELECT 1 FROM acoustic_facts WITH (UPDLOCK, HOLDLOCK) WHERE call_id = @callId)
                """,
            _ => """
                INSERT INTO acoustic_facts (call_id, duration_s, json, created_at)
                VALUES (@callId, @durationSeconds, @json, @now)
                ON CONFLICT (call_id) DO NOTHING
                """,
        };
        return db.Run(c => c.ExecuteAsync(sql, new { callId, durationSeconds, json, now }), ct);
    }

    /// <summary>The recording's length as the analyse stage measured it; null before (or without) analysis.</summary>
    public Task<double?> DurationSeconds(long callId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<double?>("SELECT duration_s FROM acoustic_facts WHERE call_id = @callId", new { callId }), ct);

    public Task<string?> AcousticFactsJson(long callId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<string?>("SELECT json FROM acoustic_facts WHERE call_id = @callId", new { callId }), ct);

    /// <summary>
    /// Stores a scorecard and makes it the call's current one, with the routing rule that chose its rubric. The same
    /// rubric file (same hash) never scores a call twice: a repeated job gets the existing row back. Earlier scorecards stay on record (is_current false).
    /// </summary>
    public Task<(long Id, bool Created)> AddScorecard(long callId, string rubricId, string rubricVersion, string rubricHash,
        double score, double maxScore, bool fatal, string json, DateTime now, CancellationToken ct = default, string? routingRule = null)
    {
        var insert = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                INSERT INTO scorecards (call_id, rubric_id, rubric_version, rubric_hash, score, max_score, fatal, is_current, json, created_at,
                                        routing_rule)
                OUTPUT INSERTED.id
                SELECT @callId, @rubricId, @rubricVersion, @rubricHash, @score, @maxScore, @fatal, 0, @json, @now, @routingRule
                WHERE NOT EXISTS (SELECT 1 FROM scorecards WITH (UPDLOCK, HOLDLOCK) WHERE call_id = @callId AND rubric_hash = @rubricHash)
                """,
            _ => """
                INSERT INTO scorecards (call_id, rubric_id, rubric_version, rubric_hash, score, max_score, fatal, is_current, json, created_at,
                                        routing_rule)
                VALUES (@callId, @rubricId, @rubricVersion, @rubricHash, @score, @maxScore, @fatal, @notCurrent, @json, @now, @routingRule)
                ON CONFLICT (call_id, rubric_hash) DO NOTHING
                RETURNING id
                """,
        };
        var makeCurrent = db.Engine switch
        {
            DatabaseEngine.SqlServer => "UPDATE scorecards SET is_current = CASE WHEN id = @id THEN 1 ELSE 0 END WHERE call_id = @callId",
            _ => "UPDATE scorecards SET is_current = (id = @id) WHERE call_id = @callId",
        };
        // The call's flags carry their scorecard's is_current (the queue totals count by it): moved with it, in the same transaction.
        var moveFlags = db.Engine switch
        {
            DatabaseEngine.SqlServer => "UPDATE review_flags SET scorecard_current = CASE WHEN scorecard_id = @id THEN 1 ELSE 0 END WHERE call_id = @callId",
            _ => "UPDATE review_flags SET scorecard_current = (scorecard_id = @id) WHERE call_id = @callId",
        };
        return db.InTransaction(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long?>(insert,
                new { callId, rubricId, rubricVersion, rubricHash, score, maxScore, fatal, notCurrent = false, json, now, routingRule }, tx);
            var created = id is not null;
            id ??= await c.ExecuteScalarAsync<long>(
                "SELECT id FROM scorecards WHERE call_id = @callId AND rubric_hash = @rubricHash", new { callId, rubricHash }, tx);
            // The same rubric text reached by another routing rule (the routing table changed, the rubric did not):
            // the scorecard stays, and says which rule chooses it now.
            if (!created && routingRule is not null)
                await c.ExecuteAsync("UPDATE scorecards SET routing_rule = @routingRule WHERE id = @id", new { id, routingRule }, tx);
            await c.ExecuteAsync(makeCurrent, new { id, callId }, tx);
            await c.ExecuteAsync(moveFlags, new { id, callId }, tx);
            return (id.Value, created);
        }, ct);
    }

    private const string ScorecardColumns =
        "id, call_id, rubric_id, rubric_version, rubric_hash, score, max_score, fatal, is_current, json, created_at, routing_rule";

    public Task<ScorecardRecord?> CurrentScorecard(long callId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<ScorecardRecord>(
            $"SELECT {ScorecardColumns} FROM scorecards WHERE call_id = @callId AND is_current = @yes", new { callId, yes = true }), ct);

    public async Task<IReadOnlyList<ScorecardRecord>> ScorecardHistory(long callId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<ScorecardRecord>(
            $"SELECT {ScorecardColumns} FROM scorecards WHERE call_id = @callId ORDER BY id", new { callId }), ct)).AsList();

    public Task<long> ScorecardCount(long callId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scorecards WHERE call_id = @callId", new { callId }), ct);

    /// <summary>Scored calls per rubric of their current scorecard (the run-samples summary, the operator's view).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CurrentScorecardsByRubric(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string RubricId, long Calls)>(
            "SELECT rubric_id, COUNT(*) FROM scorecards WHERE is_current = @yes GROUP BY rubric_id", new { yes = true }), ct))
        .OrderBy(r => r.RubricId, StringComparer.Ordinal).ToDictionary(r => r.RubricId, r => r.Calls);

    /// <summary>Calls with a stored transcript, for re-scoring; <paramref name="since"/> (inclusive) and
    /// <paramref name="until"/> (exclusive) compare the call's start time (or its ingest time when the platform gave none).</summary>
    public async Task<IReadOnlyList<long>> CallsWithTranscripts(DateTime? since, DateTime? until = null, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<long>("""
            SELECT c.id FROM calls c JOIN transcripts t ON t.call_id = c.id
            WHERE (@since IS NULL OR COALESCE(c.started_at, c.ingested_at) >= @since)
              AND (@until IS NULL OR COALESCE(c.started_at, c.ingested_at) < @until)
            ORDER BY c.id
            """, new { since, until }), ct)).AsList();

    /// <summary>Scorecards not yet in <c>scorecard_items</c> (rows are only ever added, so "after the highest projected id"), oldest first.</summary>
    public async Task<IReadOnlyList<(long Id, long CallId, string Json)>> UnprojectedScorecards(int batch, CancellationToken ct = default)
    {
        var (top, limit) = db.Dialect.RowLimit("@batch");
        return (await db.Run(c => c.QueryAsync<(long Id, long CallId, string Json)>($"""
            SELECT {top} s.id, s.call_id, s.json FROM scorecards s
            WHERE s.id > COALESCE((SELECT MAX(scorecard_id) FROM scorecard_items), 0)
            ORDER BY s.id {limit}
            """, new { batch }), ct)).AsList();
    }

    /// <summary>Adds item rows of scorecards, once each (a second node projecting the same scorecards adds nothing).</summary>
    public Task AddScorecardItems(IReadOnlyList<ScorecardItemRow> rows, CancellationToken ct = default)
    {
        var insert = db.Engine == DatabaseEngine.SqlServer
            ? """
              INSERT INTO scorecard_items (scorecard_id, call_id, item_id, verdict, deduction)
              SELECT @ScorecardId, @CallId, @ItemId, @Verdict, @Deduction
              WHERE NOT EXISTS (SELECT 1 FROM scorecard_items WHERE scorecard_id = @ScorecardId AND item_id = @ItemId)
              """
            : """
              INSERT INTO scorecard_items (scorecard_id, call_id, item_id, verdict, deduction)
              VALUES (@ScorecardId, @CallId, @ItemId, @Verdict, @Deduction) ON CONFLICT DO NOTHING
              """;
        return db.InTransaction((c, tx) => c.ExecuteAsync(insert, rows, tx), ct);
    }
}

/// <summary>One item verdict of a scorecard, as the projection indexes it.</summary>
public sealed record ScorecardItemRow(long ScorecardId, long CallId, string ItemId, string Verdict, double Deduction);
