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
        new(InputLimits.OptionalName(item, "field.item"), InputLimits.OneOf(verdict, ["pass", "fail", "na", "review"], "field.verdict"),
            InputLimits.OptionalName(phrase, "field.phrase"), InputLimits.OptionalName(agent, "field.agent"),
            InputLimits.Score(minScore, MaxFilterScore, "field.minimum_score"), InputLimits.Score(maxScore, MaxFilterScore, "field.maximum_score"));
}

/// <summary>
/// The trainers' library (培训素材库): search scored calls by rubric item and verdict, a phrase in the transcript,
/// agent and score; bookmark clips (start/end, good or bad example, note) into coaching playlists for an agent or
/// a team. Searches are limited to the calls the viewer may read.
/// </summary>
/// <summary>A clip as a playlist's audience sees it: the transcript lines inside its time range (masked for roles
/// without personal-data rights), and whether the viewer may also open the whole call.</summary>
public sealed record SharedClip(ClipRow Clip, bool WholeCall, IReadOnlyList<Calls.SegmentView> Lines);

public sealed class CoachingLibrary(LibraryRepository library, ResultRepository results, AuditLog audit, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task<IReadOnlyList<LibraryHit>> Search(Viewer viewer, LibraryQuery q, int limit = 100, CancellationToken ct = default) =>
        library.Search(viewer.ReadScope, q, limit, ct);

    /// <summary>Playlists the viewer can use: their own, and (for an agent) those made for them or their team.</summary>
    public Task<IReadOnlyList<PlaylistRow>> Playlists(Viewer viewer, string? agentTeam = null, CancellationToken ct = default) =>
        library.Playlists(new PlaylistAudience(viewer.IsAdmin || viewer.IsTrainer || viewer.IsMonitor, viewer.Id, viewer.AgentId, agentTeam), ct);

    public async Task<long> CreatePlaylist(Viewer viewer, string name, string? forAgentId, string? forTeam, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("error.only_trainers_build_playlists", 403);
        name = InputLimits.NameOf(name, "error.playlist_name_empty", "field.playlist_name");
        forAgentId = InputLimits.OptionalName(forAgentId, "field.agent");
        forTeam = InputLimits.OptionalName(forTeam, "field.team");
        return await library.CreatePlaylist(viewer.Id, name, forAgentId, forTeam, Now, ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Bookmarks a clip of a call the viewer can read into a playlist.</summary>
    public async Task<long> AddClip(Viewer viewer, long playlistId, long callId, double start, double end, string example, string? note,
        Calls.CallDetails details, CancellationToken ct = default)
    {
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) throw new ReviewRuleException("error.only_trainers_bookmark_clips", 403);
        if (await details.Load(viewer, callId, ct) is not { } view) throw new ReviewRuleException("error.no_call", 404, callId);
        InputLimits.CallTime(start, view.DurationSeconds, "field.clip_start");
        InputLimits.CallTime(end, view.DurationSeconds, "field.clip_end");
        if (!(end > start)) throw new ReviewRuleException("error.clip_needs_0_start", 400);
        note = InputLimits.OptionalText(note, "field.note");
        if (example is not ("good" or "bad")) throw new ReviewRuleException("error.clip_good_bad_example", 400);
        if (!await library.PlaylistExists(playlistId, ct)) throw new ReviewRuleException("error.no_playlist", 404, playlistId);
        var id = await library.AddClip(playlistId, callId, start, end, example, Blank(note), viewer.Id, Now, ct);
        await audit.Write(viewer.Login, "bookmark", "call", callId.ToString(), $"playlist {playlistId} clip {start:0.0}-{end:0.0} {example}", Now, ct);
        return id;
    }

    /// <summary>
    /// A playlist's clips for its audience. Putting a clip in a playlist made for an agent or a team shares it: the
    /// audience gets that clip — its time range of audio (<see cref="Calls.CallFiles"/>, /library/clips/{id}/audio) and
    /// the transcript lines inside it — masked for their role, even when the call is another agent's. The rest of that
    /// call stays closed to them (<see cref="SharedClip.WholeCall"/> false: no link, no full recording).
    /// </summary>
    public async Task<(PlaylistRow? Playlist, IReadOnlyList<SharedClip> Clips)> Playlist(Viewer viewer, long id, string? agentTeam, CancellationToken ct = default)
    {
        var playlist = (await Playlists(viewer, agentTeam, ct)).FirstOrDefault(p => p.Id == id);
        if (playlist is null) return (null, []);
        var sharedWithViewer = (await SharedWith(viewer, agentTeam, ct)).Any(p => p.Id == id);
        var shown = new List<SharedClip>();
        foreach (var clip in await library.Clips(id, ct))
        {
            var wholeCall = viewer.CanRead(clip.Team, clip.AgentId);
            if (!wholeCall && !sharedWithViewer) continue; // someone else's playlist: its clips of calls outside the viewer's reach stay hidden
            var transcript = await results.Transcript(clip.CallId, ct);
            var lines = transcript is null ? [] : Calls.CallDetails.Segments(transcript.Json, Masked(viewer, wholeCall))
                .Where(s => s.End > clip.StartS && s.Start < clip.EndS).ToList();
            shown.Add(new SharedClip(clip, wholeCall, lines));
        }
        return (playlist, shown);
    }

    /// <summary>Personal numbers are masked for roles without personal-data rights, and for anyone hearing a shared
    /// clip of a call they may not otherwise read (a monitor of another team included).</summary>
    public static bool Masked(Viewer viewer, bool wholeCall) => !viewer.SeesPersonalData || !wholeCall;

    /// <summary>Playlists shared with the viewer: their own, and those made for their agent id or team (not every
    /// playlist a trainer or monitor may browse).</summary>
    private Task<IReadOnlyList<PlaylistRow>> SharedWith(Viewer viewer, string? agentTeam, CancellationToken ct) =>
        library.Playlists(new PlaylistAudience(false, viewer.Id, viewer.AgentId, agentTeam), ct);

    /// <summary>One clip, when the viewer may play it — the viewer may read its whole call, or it is in a playlist shared
    /// with them — and whether they hear it as the whole call's reader would. Null otherwise (a 404).</summary>
    public async Task<(ClipRow Clip, bool WholeCall)?> PlayableClip(Viewer viewer, long clipId, string? agentTeam, CancellationToken ct = default)
    {
        if (await library.Clip(clipId, ct) is not { } clip) return null;
        if (viewer.CanRead(clip.Team, clip.AgentId)) return (clip, true);
        return (await SharedWith(viewer, agentTeam, ct)).Any(p => p.Id == clip.PlaylistId) ? (clip, false) : null;
    }
}
