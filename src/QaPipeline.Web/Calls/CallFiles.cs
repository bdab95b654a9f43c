using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QaPipeline.Centre.Recordings;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Wav;
using QaPipeline.Storage;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Access;
using QaPipeline.Scoring;

namespace QaPipeline.Web.Calls;

/// <summary>
/// The recording and clip downloads. The same row-level rule as the call page: a call the viewer may not read
/// is a 404 (its existence is not confirmed). Audio answers HTTP range requests so the player can seek.
/// </summary>
internal static class CallFiles
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/calls/{id:long}/audio", Audio);
        app.MapGet("/api/v1/calls/{id:long}/audio", Audio);
        app.MapGet("/calls/{id:long}/clip", Clip);
        app.MapGet("/api/v1/calls/{id:long}/clip", Clip);
        app.MapGet("/library/clips/{clipId:long}/audio", SharedClipAudio);
    }

    /// <summary>A playlist clip's audio, cut to the clip's time range, for the playlist's audience (an agent coached
    /// with a colleague's call hears that clip and nothing else of it), toned over personal numbers for their role.</summary>
    private static async Task<IResult> SharedClipAudio(long clipId, HttpContext http, Library.CoachingLibrary library, UserRepository users,
        CallRepository calls, RecordingStore store, ResultRepository results, AudioDecoder decoder)
    {
        if (http.Viewer() is not { } viewer) return Results.NotFound();
        var team = viewer.IsAgent ? (await users.Get(viewer.Id, http.RequestAborted))?.TeamName : null;
        if (await library.PlayableClip(viewer, clipId, team, http.RequestAborted) is not { } playable) return Results.NotFound();
        var (clip, wholeCall) = playable;
        if (await calls.Get(clip.CallId, http.RequestAborted) is not { } call) return Results.NotFound();
        var path = store.FullPath(call.StorePath);
        if (!File.Exists(path)) return Reviews.ReviewRuleException.Answer("error.recording_deleted", 404);
        PcmRecording? wav = null;
        if (Library.CoachingLibrary.Masked(viewer, wholeCall))
        {
            var masked = await MaskedRecording(clip.CallId, path, results, decoder, http.RequestAborted);
            if (masked.Refusal is { } refusal) return refusal;
            wav = masked.Wav;
        }
        wav ??= await Task.Run(() => PcmRecording.Load(path, decoder, http.RequestAborted), http.RequestAborted);
        if (clip.StartS >= wav.DurationSeconds) return Reviews.ReviewRuleException.Answer("error.clip_beyond_recording", 404);
        http.Response.Headers.CacheControl = "private, no-store";
        return Results.File(wav.Cut(clip.StartS, clip.EndS).ToBytes(), "audio/wav", enableRangeProcessing: true);
    }

    private static async Task<IResult> Audio(long id, HttpContext http, CallDetails details, RecordingStore store, ResultRepository results, AudioDecoder decoder)
    {
        if (http.Viewer() is not { } viewer || await details.Readable(viewer, id, http.RequestAborted) is not { } call) return Results.NotFound();
        var path = store.FullPath(call.StorePath);
        if (!File.Exists(path)) return Reviews.ReviewRuleException.Answer("error.recording_deleted", 404);
        http.Response.Headers.CacheControl = "private, no-store";
        if (viewer.SeesPersonalData) return Results.File(path, ContentType(path), enableRangeProcessing: true);
        var masked = await MaskedRecording(id, path, results, decoder, http.RequestAborted);
        if (masked.Refusal is { } refusal) return refusal;
        return masked.Wav is null
            ? Results.File(path, ContentType(path), enableRangeProcessing: true)
            : Results.File(masked.Wav.ToBytes(), "audio/wav", enableRangeProcessing: true);
    }

    /// <summary>The recording as a role without personal-data rights may hear it: the spans where the transcript has
    /// a personal number replaced by a tone. Wav is null when there is nothing to hide (the file is served as stored);
    /// Refusal is set when a number cannot be placed in time (an untimed transcript), so the audio is withheld.</summary>
    private static async Task<(PcmRecording? Wav, IResult? Refusal)> MaskedRecording(long callId, string path, ResultRepository results, AudioDecoder decoder, CancellationToken ct)
    {
        var transcript = await results.Transcript(callId, ct);
        if (transcript is null) return (null, null);
        var spans = PersonalNumberSpans.Of(TranscriptFormat.Parse(transcript.Json));
        if (spans is null)
            return (null, Reviews.ReviewRuleException.Answer("error.unmaskable_recording", 403));
        if (spans.Count == 0) return (null, null);
        var wav = await Task.Run(() => PcmRecording.Load(path, decoder, ct), ct);
        foreach (var (start, end) in spans) wav.ToneOver(start, end);
        return (wav, null);
    }

    private static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".wav" => "audio/wav",
        ".mp3" => "audio/mpeg",
        ".ogg" or ".opus" => "audio/ogg",
        ".flac" => "audio/flac",
        ".m4a" => "audio/mp4",
        _ => "application/octet-stream",
    };

    /// <summary>A coaching clip as a zip: the audio cut to [start, end] as 16-bit PCM WAV (toned over personal numbers
    /// for roles without personal-data rights) and the transcript lines inside it, masked the same way.</summary>
    private static async Task<IResult> Clip(long id, double start, double end, HttpContext http, CallDetails details, RecordingStore store,
        ResultRepository results, AudioDecoder decoder)
    {
        if (http.Viewer() is not { } viewer || await details.Load(viewer, id, http.RequestAborted) is not { } view) return Results.NotFound();
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) return Results.StatusCode(403);
        if (!double.IsFinite(start) || !double.IsFinite(end) || !(end > start) || start < 0 || (view.DurationSeconds is { } d && start >= d))
            return Reviews.ReviewRuleException.Answer("error.clip_range", 400);
        var path = store.FullPath(view.Call.StorePath);
        if (!File.Exists(path)) return Reviews.ReviewRuleException.Answer("error.recording_deleted", 404);
        PcmRecording wav;
        if (viewer.SeesPersonalData) wav = await Task.Run(() => PcmRecording.Load(path, decoder, http.RequestAborted), http.RequestAborted);
        else
        {
            var masked = await MaskedRecording(id, path, results, decoder, http.RequestAborted);
            if (masked.Refusal is { } refusal) return refusal;
            wav = masked.Wav ?? await Task.Run(() => PcmRecording.Load(path, decoder, http.RequestAborted), http.RequestAborted);
        }
        if (start >= wav.DurationSeconds) return Reviews.ReviewRuleException.Answer("error.clip_range", 400);
        var text = new StringBuilder($"call {view.Call.ExternalCallId ?? id.ToString()} agent {view.Call.AgentId} clip {Ui.Time(start)}-{Ui.Time(end)}\n");
        foreach (var s in view.Segments.Where(s => s.End > start && s.Start < end))
            text.Append($"[{Ui.Time(s.Start)}] {s.Speaker.Word()}: {s.Text}\n");
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            var audio = archive.CreateEntry("clip.wav");
            await using (var s = audio.Open()) await s.WriteAsync(wav.Cut(start, end).ToBytes(), http.RequestAborted);
            var transcript = archive.CreateEntry("transcript.txt");
            await using (var s = transcript.Open()) await s.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), http.RequestAborted);
        }
        zip.Position = 0;
        return Results.File(zip, "application/zip", $"call-{id}-{start:0}-{end:0}.zip");
    }
}
