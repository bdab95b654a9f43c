using Dapper;

namespace QaPipeline.Storage;

public sealed class SessionRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public long CreatedBy { get; init; }
    public string LeadName { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Decisions { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? RevealedAt { get; init; }
}

public sealed class ParticipantRow
{
    public long UserId { get; init; }
    public string Login { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public DateTime? SubmittedAt { get; init; }
}

public sealed class ScoreRow
{
    public long CallId { get; init; }
    public long RaterId { get; init; }
    public string ItemId { get; init; } = "";
    public string Verdict { get; init; } = "";
}

public sealed record AgreedRow(long CallId, string ItemId, string Verdict);

/// <summary>A calibration session as stored: the session, its participants, calls, every rater's verdicts and the agreed ones.</summary>
public sealed record SessionRecords(SessionRow Session, IReadOnlyList<ParticipantRow> Participants, IReadOnlyList<long> CallIds,
    IReadOnlyList<ScoreRow> Scores, IReadOnlyList<AgreedRow> Agreed);

/// <summary>Calibration meetings (监控校准会议): sessions, their calls and participants, blind ratings, agreed verdicts.</summary>
public sealed class CalibrationRepository(Database db)
{
    /// <summary>Sessions a user leads or takes part in (every session for an admin), newest first.</summary>
    public async Task<IReadOnlyList<SessionRow>> Sessions(long userId, bool everything, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<SessionRow>("""
            SELECT s.id, s.name, s.created_by, u.display_name AS lead_name, s.status, s.decisions, s.created_at, s.revealed_at
            FROM calibration_sessions s JOIN users u ON u.id = s.created_by
            WHERE @admin = 1 OR s.created_by = @me OR EXISTS (SELECT 1 FROM calibration_participants p WHERE p.session_id = s.id AND p.user_id = @me)
            ORDER BY s.id DESC
            """, new { me = userId, admin = everything ? 1 : 0 }), ct)).AsList();

    public Task<long> Create(string name, long leadId, IEnumerable<long> callIds, IEnumerable<long> participantIds, DateTime now,
        CancellationToken ct = default)
    {
        var insert = db.Dialect.InsertReturningId("calibration_sessions (name, created_by, status, created_at)", "(@name, @leadId, 'scoring', @now)");
        return db.InTransaction(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>(insert, new { name, leadId, now }, tx);
            foreach (var callId in callIds.Distinct())
                await c.ExecuteAsync("INSERT INTO calibration_calls (session_id, call_id) VALUES (@id, @callId)", new { id, callId }, tx);
            foreach (var userId in participantIds.Distinct())
                await c.ExecuteAsync("INSERT INTO calibration_participants (session_id, user_id) VALUES (@id, @userId)", new { id, userId }, tx);
            return id;
        }, ct);
    }

    /// <summary>Everything about one session in one round trip; null when there is no such session.</summary>
    public Task<SessionRecords?> Load(long id, CancellationToken ct = default) =>
        db.Run(async c =>
        {
            using var grid = await c.QueryMultipleAsync("""
                SELECT s.id, s.name, s.created_by, u.display_name AS lead_name, s.status, s.decisions, s.created_at, s.revealed_at
                FROM calibration_sessions s JOIN users u ON u.id = s.created_by WHERE s.id = @id;
                SELECT p.user_id, u.login, u.display_name, p.submitted_at FROM calibration_participants p JOIN users u ON u.id = p.user_id
                WHERE p.session_id = @id ORDER BY u.login;
                SELECT call_id FROM calibration_calls WHERE session_id = @id ORDER BY call_id;
                SELECT call_id, rater_id, item_id, verdict FROM calibration_ratings WHERE session_id = @id;
                SELECT call_id, item_id, verdict FROM calibration_agreed WHERE session_id = @id;
                """, new { id });
            var session = await grid.ReadSingleOrDefaultAsync<SessionRow>();
            var participants = (await grid.ReadAsync<ParticipantRow>()).AsList();
            var calls = (await grid.ReadAsync<long>()).AsList();
            var scores = (await grid.ReadAsync<ScoreRow>()).AsList();
            var agreed = (await grid.ReadAsync<(long CallId, string ItemId, string Verdict)>()).Select(a => new AgreedRow(a.CallId, a.ItemId, a.Verdict)).ToList();
            return session is null ? null : new SessionRecords(session, participants, calls, scores, agreed);
        }, ct);

    /// <summary>Stores a rater's verdicts on items of one call (replacing earlier ones), all together.</summary>
    public Task Rate(long sessionId, long callId, long raterId, IReadOnlyDictionary<string, string> verdicts, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            foreach (var (itemId, verdict) in verdicts)
            {
                await c.ExecuteAsync("DELETE FROM calibration_ratings WHERE session_id = @sessionId AND call_id = @callId AND rater_id = @raterId AND item_id = @itemId",
                    new { sessionId, callId, raterId, itemId }, tx);
                await c.ExecuteAsync("INSERT INTO calibration_ratings (session_id, call_id, rater_id, item_id, verdict) VALUES (@sessionId, @callId, @raterId, @itemId, @verdict)",
                    new { sessionId, callId, raterId, itemId, verdict }, tx);
            }
            return 0;
        }, ct);

    public Task Submit(long sessionId, long userId, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calibration_participants SET submitted_at = @now WHERE session_id = @sessionId AND user_id = @userId",
            new { sessionId, userId, now }), ct);

    public Task Reveal(long sessionId, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calibration_sessions SET status = 'revealed', revealed_at = @now WHERE id = @sessionId",
            new { sessionId, now }), ct);

    public Task RecordAgreed(long sessionId, long callId, string itemId, string verdict, long decidedBy, DateTime now, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM calibration_agreed WHERE session_id = @sessionId AND call_id = @callId AND item_id = @itemId",
                new { sessionId, callId, itemId }, tx);
            await c.ExecuteAsync("""
                INSERT INTO calibration_agreed (session_id, call_id, item_id, verdict, decided_by, decided_at)
                VALUES (@sessionId, @callId, @itemId, @verdict, @decidedBy, @now)
                """, new { sessionId, callId, itemId, verdict, decidedBy, now }, tx);
            return 0;
        }, ct);

    public Task RecordDecisions(long sessionId, string decisions, string status, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE calibration_sessions SET decisions = @decisions, status = @status WHERE id = @sessionId",
            new { sessionId, decisions, status }), ct);

    /// <summary>Whether a user takes part in a session that has this call (so may read it although not of their team).</summary>
    public async Task<bool> IsParticipant(long userId, long callId, CancellationToken ct = default) =>
        await db.Run(c => c.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM calibration_participants p JOIN calibration_calls cc ON cc.session_id = p.session_id
            WHERE p.user_id = @userId AND cc.call_id = @callId
            """, new { userId, callId }), ct) > 0;

    /// <summary>True while the user scores this call blind in a session (has not submitted, not revealed).</summary>
    public Task<bool> IsScoringBlind(long userId, long callId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<bool>("""
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM calibration_participants p
                JOIN calibration_calls cc ON cc.session_id = p.session_id
                JOIN calibration_sessions s ON s.id = p.session_id
                WHERE p.user_id = @userId AND cc.call_id = @callId AND p.submitted_at IS NULL AND s.status = 'scoring')
            THEN 1 ELSE 0 END
            """, new { userId, callId }), ct);
}
