using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Library;

/// <summary>The library search as typed, checked (a 400 otherwise): scores finite and in range, names and phrase
/// short, verdict known.</summary>
public static class LibraryQueries
{
    /// <summary>Scores are stored out of the rubric's maximum, which is 100 for every shipped rubric; the filter
    /// refuses what no score can be.</summary>
    public const double MaxFilterScore = 1000;

    public static LibraryQuery Checked(string? item, string? verdict, string? phrase, string? agent, double? minScore, double? maxScore) =>
        new(InputLimits.OptionalName(item, "item", "评分项"), InputLimits.OneOf(verdict, ["pass", "fail", "na", "review"], "verdict", "判定"),
            InputLimits.OptionalName(phrase, "phrase", "短语"), InputLimits.OptionalName(agent, "agent", "客服代表"),
            InputLimits.Score(minScore, MaxFilterScore, "minimum score", "最低分"), InputLimits.Score(maxScore, MaxFilterScore, "maximum score", "最高分"));
}

/// <summary>
/// The trainers' library (培训素材库): search scored calls by rubric item and verdict, a phrase in the transcript,
/// agent and score; bookmark clips (start/end, good or bad example, note) into coaching playlists for an agent or
/// a team. Searches are limited to the calls the viewer may read.
/// </summary>
public sealed class CoachingLibrary(LibraryRepository library, AuditLog audit, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task<IReadOnlyList<LibraryHit>> Search(Viewer viewer, LibraryQuery q, int limit = 100, CancellationToken ct = default) =>
        library.Search(viewer.ReadScope, q, limit, ct);

    /// <summary>Playlists the viewer can use: their own, and (for an agent) those made for them or their team.</summary>
    public Task<IReadOnlyList<PlaylistRow>> Playlists(Viewer viewer, string? agentTeam = null, CancellationToken ct = default) =>
        library.Playlists(new PlaylistAudience(viewer.IsAdmin || viewer.IsTrainer || viewer.IsMonitor, viewer.Id, viewer.AgentId, agentTeam), ct);

    public async Task<long> CreatePlaylist(Viewer viewer, string name, string? forAgentId, string? forTeam, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("only trainers build playlists", 403);
        name = InputLimits.NameOf(name, "name the playlist", "playlist name", "播放列表名称");
        forAgentId = InputLimits.OptionalName(forAgentId, "agent", "客服代表");
        forTeam = InputLimits.OptionalName(forTeam, "team", "班组");
        return await library.CreatePlaylist(viewer.Id, name, forAgentId, forTeam, Now, ct);
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
        if (!await library.PlaylistExists(playlistId, ct)) throw new ReviewRuleException($"no playlist {playlistId}", 404);
        var id = await library.AddClip(playlistId, callId, start, end, example, Blank(note), viewer.Id, Now, ct);
        await audit.Write(viewer.Login, "bookmark", "call", callId.ToString(), $"playlist {playlistId} clip {start:0.0}-{end:0.0} {example}", Now, ct);
        return id;
    }

    /// <summary>A playlist's clips, keeping only clips of calls the viewer may read (an agent's coaching playlist
    /// may hold other agents' calls as examples: those clips are the trainer's to play, not the agent's).</summary>
    public async Task<(PlaylistRow? Playlist, IReadOnlyList<ClipRow> Clips)> Playlist(Viewer viewer, long id, string? agentTeam, CancellationToken ct = default)
    {
        var playlist = (await Playlists(viewer, agentTeam, ct)).FirstOrDefault(p => p.Id == id);
        if (playlist is null) return (null, []);
        var clips = await library.Clips(id, ct);
        return (playlist, clips.Where(c => viewer.CanRead(c.Team, c.AgentId)).ToList());
    }
}
