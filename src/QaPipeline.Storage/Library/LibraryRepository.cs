using Dapper;

namespace QaPipeline.Storage;

public sealed record LibraryQuery(string? Item = null, string? Verdict = null, string? Phrase = null, string? Agent = null,
    double? MinScore = null, double? MaxScore = null);

public sealed class LibraryHit
{
    public long CallId { get; init; }
    public string? ExternalCallId { get; init; }
    public string? AgentId { get; init; }
    public string? Team { get; init; }
    public DateTime? StartedAt { get; init; }
    public double Score { get; init; }
    public double MaxScore { get; init; }
}

public sealed class PlaylistRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? ForAgentId { get; init; }
    public string? ForTeam { get; init; }
    public string OwnerName { get; init; } = "";
    public int Clips { get; init; }
}

public sealed class ClipRow
{
    public long Id { get; init; }
    public long PlaylistId { get; init; }
    public long CallId { get; init; }
    public double StartS { get; init; }
    public double EndS { get; init; }
    public string Example { get; init; } = "";
    public string? Note { get; init; }
    public string AddedByName { get; init; } = "";
    public string? AgentId { get; init; }
    public string? Team { get; init; }
}

/// <summary>Which playlists a user sees: every one, or their own and those made for their agent id or team.</summary>
public sealed record PlaylistAudience(bool Everything, long UserId, string? AgentId, string? Team);

/// <summary>The trainers' library (培训素材库): search over scored calls, coaching playlists and their clips.</summary>
public sealed class LibraryRepository(Database db)
{
    public async Task<IReadOnlyList<LibraryHit>> Search(CallScope scope, LibraryQuery q, int limit, CancellationToken ct = default)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(scope);
        var args = new DynamicParameters(scopeArgs);
        var where = new List<string> { predicate };
        void Add(string sql, string name, object? value) { if (value is null or "") return; where.Add(sql); args.Add(name, value); }
        if (q.Item is { Length: > 0 })
        {
            where.Add("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.item_id = @item" +
                      (q.Verdict is { Length: > 0 } ? " AND i.verdict = @verdict)" : ")"));
            args.Add("item", q.Item);
            if (q.Verdict is { Length: > 0 }) args.Add("verdict", q.Verdict);
        }
        else Add("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.verdict = @verdict)", "verdict", q.Verdict);
        // The phrase is matched in the stored transcript text; LIKE wildcards in the user's text are escaped.
        Add("t.json LIKE @phrase ESCAPE '\\'", "phrase", q.Phrase is { Length: > 0 } p ? "%" + p.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%" : null);
        Add("c.agent_id = @agent", "agent", q.Agent);
        Add("s.score >= @minScore", "minScore", q.MinScore);
        Add("s.score <= @maxScore", "maxScore", q.MaxScore);
        args.Add("yes", true);
        args.Add("limit", limit);
        var (top, tail) = db.Dialect.RowLimit("@limit");
        var sql = $"""
            SELECT {top} c.id AS call_id, c.external_call_id, c.agent_id, c.team, c.started_at, s.score, s.max_score
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN transcripts t ON t.call_id = c.id
            WHERE {string.Join(" AND ", where)}
            ORDER BY c.started_at DESC, c.id DESC
            {tail}
            """;
        return (await db.Run(c => c.QueryAsync<LibraryHit>(sql, args), ct)).AsList();
    }

    public async Task<IReadOnlyList<PlaylistRow>> Playlists(PlaylistAudience audience, CancellationToken ct = default)
    {
        var filter = audience.Everything
            ? "1 = 1"
            : "(p.owner_id = @me OR p.for_agent_id = @agentId OR (p.for_team IS NOT NULL AND p.for_team = @team))";
        return (await db.Run(c => c.QueryAsync<PlaylistRow>($"""
            SELECT p.id, p.name, p.for_agent_id, p.for_team, u.display_name AS owner_name,
                   (SELECT COUNT(*) FROM playlist_items i WHERE i.playlist_id = p.id) AS clips
            FROM playlists p JOIN users u ON u.id = p.owner_id
            WHERE {filter} ORDER BY p.name
            """, new { me = audience.UserId, agentId = audience.AgentId ?? "", team = audience.Team ?? "" }), ct)).AsList();
    }

    public Task<long> CreatePlaylist(long ownerId, string name, string? forAgentId, string? forTeam, DateTime now, CancellationToken ct = default)
    {
        var sql = db.Dialect.InsertReturningId("playlists (owner_id, name, for_agent_id, for_team, created_at)",
            "(@ownerId, @name, @forAgentId, @forTeam, @now)");
        return db.Run(c => c.ExecuteScalarAsync<long>(sql, new { ownerId, name, forAgentId, forTeam, now }), ct);
    }

    public async Task<bool> PlaylistExists(long playlistId, CancellationToken ct = default) =>
        await db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM playlists WHERE id = @playlistId", new { playlistId }), ct) > 0;

    public Task<long> AddClip(long playlistId, long callId, double start, double end, string example, string? note, long addedBy, DateTime now,
        CancellationToken ct = default)
    {
        var sql = db.Dialect.InsertReturningId("playlist_items (playlist_id, call_id, start_s, end_s, example, note, added_by, added_at)",
            "(@playlistId, @callId, @start, @end, @example, @note, @addedBy, @now)");
        return db.Run(c => c.ExecuteScalarAsync<long>(sql, new { playlistId, callId, start, end, example, note, addedBy, now }), ct);
    }

    private const string ClipColumns = """
        SELECT i.id, i.playlist_id, i.call_id, i.start_s, i.end_s, i.example, i.note, u.display_name AS added_by_name, c.agent_id, c.team
        FROM playlist_items i JOIN users u ON u.id = i.added_by JOIN calls c ON c.id = i.call_id
        """;

    /// <summary>A playlist's clips in the order they were added, with the agent and team of each clip's call.</summary>
    public async Task<IReadOnlyList<ClipRow>> Clips(long playlistId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<ClipRow>($"{ClipColumns} WHERE i.playlist_id = @playlistId ORDER BY i.id", new { playlistId }), ct)).AsList();

    /// <summary>One clip with the agent and team of its call.</summary>
    public Task<ClipRow?> Clip(long clipId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<ClipRow>($"{ClipColumns} WHERE i.id = @clipId", new { clipId }), ct);
}
