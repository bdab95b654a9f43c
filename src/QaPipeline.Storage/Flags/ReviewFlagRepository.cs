using Dapper;

namespace QaPipeline.Storage;

/// <summary>Review flags feed the web app's review queues. One flag per scorecard and reason.</summary>
public sealed class ReviewFlagRepository(Database db)
{
    /// <summary>Stores a flag of a scorecard (once per scorecard and reason). The flag copies whether its scorecard is
    /// the call's current one (<c>scorecard_current</c>, which the queue totals count by); the scorecard row is read
    /// under a lock, so a re-score moving <c>is_current</c> at the same moment either runs first (the flag copies the
    /// new value) or waits for this insert and then moves the flag with the others.</summary>
    public async Task Add(long callId, long scorecardId, string reason, string? detail, DateTime now, CancellationToken ct = default)
    {
        var sql = db.Engine switch
        {
            DatabaseEngine.SqlServer => """
                INSERT INTO review_flags (call_id, scorecard_id, reason, detail, status, created_at, scorecard_current)
                SELECT @callId, @scorecardId, @reason, @detail, 'open', @now, s.is_current FROM scorecards s WITH (HOLDLOCK)
                WHERE s.id = @scorecardId
                  AND NOT EXISTS (SELECT 1 FROM review_flags WITH (UPDLOCK, HOLDLOCK) WHERE scorecard_id = @scorecardId AND reason = @reason)
                """,
            DatabaseEngine.Postgres => """
                INSERT INTO review_flags (call_id, scorecard_id, reason, detail, status, created_at, scorecard_current)
                SELECT @callId, @scorecardId, @reason, @detail, 'open', @now, s.is_current FROM scorecards s
                WHERE s.id = @scorecardId FOR SHARE
                ON CONFLICT (scorecard_id, reason) DO NOTHING
                """,
            // SQLite writes one statement at a time; "WHERE" before ON CONFLICT keeps the upsert apart from a join's ON.
            _ => """
                INSERT INTO review_flags (call_id, scorecard_id, reason, detail, status, created_at, scorecard_current)
                SELECT @callId, @scorecardId, @reason, @detail, 'open', @now, s.is_current FROM scorecards s
                WHERE s.id = @scorecardId
                ON CONFLICT (scorecard_id, reason) DO NOTHING
                """,
        };
        await db.Run(c => c.ExecuteAsync(sql, new { callId, scorecardId, reason, detail, now }), ct);
    }

    public async Task<IReadOnlyList<ReviewFlagRecord>> ForCall(long callId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<ReviewFlagRecord>(
            "SELECT id, call_id, scorecard_id, reason, detail, status, created_at FROM review_flags WHERE call_id = @callId ORDER BY id",
            new { callId }), ct)).AsList();

    public async Task<IReadOnlyDictionary<string, long>> CountByReason(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string Reason, long Count)>(
            "SELECT reason, COUNT(*) FROM review_flags GROUP BY reason"), ct)).ToDictionary(r => r.Reason, r => r.Count);

    /// <summary>How many of an agent's other calls in a sampling period already went to review (any reason).</summary>
    public Task<long> FlaggedCallsOfAgent(string agentId, DateTime from, DateTime to, long exceptCallId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<long>("""
            SELECT COUNT(DISTINCT f.call_id) FROM review_flags f JOIN calls c ON c.id = f.call_id
            WHERE c.agent_id = @agentId AND COALESCE(c.started_at, c.ingested_at) >= @from
              AND COALESCE(c.started_at, c.ingested_at) < @to AND f.call_id <> @exceptCallId
            """, new { agentId, from, to, exceptCallId }), ct);
}
