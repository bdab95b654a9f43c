using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Library;

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
        if (string.IsNullOrWhiteSpace(name)) throw new ReviewRuleException("name the playlist", 400);
        return await library.CreatePlaylist(viewer.Id, name.Trim(), Blank(forAgentId), Blank(forTeam), Now, ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Bookmarks a clip of a call the viewer can read into a playlist.</summary>
    public async Task<long> AddClip(Viewer viewer, long playlistId, long callId, double start, double end, string example, string? note,
        Calls.CallDetails details, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("only trainers bookmark clips", 403);
        if (await details.Readable(viewer, callId, ct) is null) throw new ReviewRuleException($"no call {callId}", 404);
        if (!(end > start) || start < 0) throw new ReviewRuleException("a clip needs 0 <= start < end", 400);
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
