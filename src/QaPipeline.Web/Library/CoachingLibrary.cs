using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Library;

public sealed record LibraryQuery(string? Item = null, string? Verdict = null, string? Phrase = null, string? Agent = null,
    double? MinScore = null, double? MaxScore = null)
{
    /// <summary>Scores are stored out of the rubric's maximum, which is 100 for every shipped rubric; the filter
    /// refuses what no score can be.</summary>
    public const double MaxFilterScore = 1000;

    /// <summary>The search as typed, checked (a 400 otherwise): scores finite and in range, names and phrase short, verdict known.</summary>
    public static LibraryQuery Checked(string? item, string? verdict, string? phrase, string? agent, double? minScore, double? maxScore) =>
        new(InputLimits.OptionalName(item, "item", "评分项"), InputLimits.OneOf(verdict, ["pass", "fail", "na", "review"], "verdict", "判定"),
            InputLimits.OptionalName(phrase, "phrase", "短语"), InputLimits.OptionalName(agent, "agent", "客服代表"),
            InputLimits.Score(minScore, MaxFilterScore, "minimum score", "最低分"), InputLimits.Score(maxScore, MaxFilterScore, "maximum score", "最高分"));
}

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
}

/// <summary>
/// The trainers' library (培训素材库): search scored calls by rubric item and verdict, a phrase in the transcript,
/// agent and score; bookmark clips (start/end, good or bad example, note) into coaching playlists for an agent or
/// a team. Searches are limited to the calls the viewer may read.
/// </summary>
public sealed class CoachingLibrary(Database db, AuditLog audit)
{
    public async Task<IReadOnlyList<LibraryHit>> Search(Viewer viewer, LibraryQuery q, int limit = 100, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = viewer.CallPredicate(db.Engine);
        var args = new DynamicParameters(viewerArgs);
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
        var sql = $"""
            SELECT {(db.Engine == DatabaseEngine.SqlServer ? "TOP (@limit)" : "")} c.id AS call_id, c.external_call_id, c.agent_id, c.team, c.started_at, s.score, s.max_score
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN transcripts t ON t.call_id = c.id
            WHERE {string.Join(" AND ", where)}
            ORDER BY c.started_at DESC, c.id DESC
            {(db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @limit")}
            """;
        return (await db.Run(c => c.QueryAsync<LibraryHit>(sql, args), ct)).AsList();
    }

    /// <summary>Playlists the viewer can use: their own, and (for an agent) those made for them or their team.</summary>
    public async Task<IReadOnlyList<PlaylistRow>> Playlists(Viewer viewer, string? agentTeam = null, CancellationToken ct = default)
    {
        var filter = viewer.IsAdmin || viewer.IsTrainer || viewer.IsMonitor
            ? "1 = 1"
            : "(p.owner_id = @me OR p.for_agent_id = @agentId OR (p.for_team IS NOT NULL AND p.for_team = @team))";
        return (await db.Run(c => c.QueryAsync<PlaylistRow>($"""
            SELECT p.id, p.name, p.for_agent_id, p.for_team, u.display_name AS owner_name,
                   (SELECT COUNT(*) FROM playlist_items i WHERE i.playlist_id = p.id) AS clips
            FROM playlists p JOIN users u ON u.id = p.owner_id
            WHERE {filter} ORDER BY p.name
            """, new { me = viewer.Id, agentId = viewer.AgentId ?? "", team = agentTeam ?? "" }), ct)).AsList();
    }

    public async Task<long> CreatePlaylist(Viewer viewer, string name, string? forAgentId, string? forTeam, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("only trainers build playlists", 403);
        name = InputLimits.NameOf(name, "name the playlist", "playlist name", "播放列表名称");
        forAgentId = InputLimits.OptionalName(forAgentId, "agent", "客服代表");
        forTeam = InputLimits.OptionalName(forTeam, "team", "班组");
        var sql = db.Engine == DatabaseEngine.SqlServer
            ? "INSERT INTO playlists (owner_id, name, for_agent_id, for_team, created_at) OUTPUT INSERTED.id VALUES (@owner, @name, @forAgentId, @forTeam, @now)"
            : "INSERT INTO playlists (owner_id, name, for_agent_id, for_team, created_at) VALUES (@owner, @name, @forAgentId, @forTeam, @now) RETURNING id";
        return await db.Run(c => c.ExecuteScalarAsync<long>(sql, new
        {
            owner = viewer.Id, name = name.Trim(), forAgentId = Blank(forAgentId), forTeam = Blank(forTeam), now = DateTime.UtcNow,
        }), ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Bookmarks a clip of a call the viewer can read into a playlist.</summary>
    public async Task<long> AddClip(Viewer viewer, long playlistId, long callId, double start, double end, string example, string? note,
        Calls.CallDetails details, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("only trainers bookmark clips", 403);
        if (await details.Load(viewer, callId, ct) is not { } view) throw new ReviewRuleException($"no call {callId}", 404);
        InputLimits.CallTime(start, view.DurationSeconds, "clip start", "片段开始时间");
        InputLimits.CallTime(end, view.DurationSeconds, "clip end", "片段结束时间");
        if (!(end > start)) throw new ReviewRuleException("a clip needs 0 <= start < end", 400);
        note = InputLimits.OptionalText(note, "note", "备注");
        if (example is not ("good" or "bad")) throw new ReviewRuleException("a clip is a good or a bad example", 400);
        var exists = await db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM playlists WHERE id = @playlistId", new { playlistId }), ct);
        if (exists == 0) throw new ReviewRuleException($"no playlist {playlistId}", 404);
        var sql = db.Engine == DatabaseEngine.SqlServer
            ? "INSERT INTO playlist_items (playlist_id, call_id, start_s, end_s, example, note, added_by, added_at) OUTPUT INSERTED.id VALUES (@playlistId, @callId, @start, @end, @example, @note, @by, @now)"
            : "INSERT INTO playlist_items (playlist_id, call_id, start_s, end_s, example, note, added_by, added_at) VALUES (@playlistId, @callId, @start, @end, @example, @note, @by, @now) RETURNING id";
        var id = await db.Run(c => c.ExecuteScalarAsync<long>(sql, new { playlistId, callId, start, end, example, note = Blank(note), by = viewer.Id, now = DateTime.UtcNow }), ct);
        await audit.Write(viewer.Login, "bookmark", "call", callId.ToString(), $"playlist {playlistId} clip {start:0.0}-{end:0.0} {example}", DateTime.UtcNow, ct);
        return id;
    }

    /// <summary>A playlist's clips, keeping only clips of calls the viewer may read (an agent's coaching playlist
    /// may hold other agents' calls as examples: those clips are the trainer's to play, not the agent's).</summary>
    public async Task<(PlaylistRow? Playlist, IReadOnlyList<ClipRow> Clips)> Playlist(Viewer viewer, long id, string? agentTeam, CancellationToken ct = default)
    {
        var playlist = (await Playlists(viewer, agentTeam, ct)).FirstOrDefault(p => p.Id == id);
        if (playlist is null) return (null, []);
        var clips = (await db.Run(c => c.QueryAsync<ClipRow>("""
            SELECT i.id, i.playlist_id, i.call_id, i.start_s, i.end_s, i.example, i.note, u.display_name AS added_by_name, c.agent_id, c.team
            FROM playlist_items i JOIN users u ON u.id = i.added_by JOIN calls c ON c.id = i.call_id
            WHERE i.playlist_id = @id ORDER BY i.id
            """, new { id }), ct)).AsList();
        var teams = await db.Run(c => c.QueryAsync<(long Id, string? Team)>(
            "SELECT c.id, c.team FROM calls c JOIN playlist_items i ON i.call_id = c.id WHERE i.playlist_id = @id", new { id }), ct);
        var teamOf = teams.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.First().Team);
        return (playlist, clips.Where(c => viewer.CanRead(teamOf.GetValueOrDefault(c.CallId), c.AgentId)).ToList());
    }
}
