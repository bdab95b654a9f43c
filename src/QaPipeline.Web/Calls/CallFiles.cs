using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Web.Access;

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
    }

    private static async Task<IResult> Audio(long id, HttpContext http, CallDetails details, RecordingStore store)
    {
        if (http.Viewer() is not { } viewer || await details.Readable(viewer, id, http.RequestAborted) is not { } call) return Results.NotFound();
        var path = store.FullPath(call.StorePath);
        if (!File.Exists(path)) return Results.NotFound(new { error = "the recording is no longer in the store (retention)" });
        http.Response.Headers.CacheControl = "private, no-store";
        return Results.File(path, ContentType(path), enableRangeProcessing: true);
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

    /// <summary>A coaching clip as a zip: the audio cut to [start, end] (PCM WAV is cut exactly; other formats are
    /// sent whole with the times noted) and the transcript lines inside it, masked for roles without PII rights.</summary>
    private static async Task<IResult> Clip(long id, double start, double end, HttpContext http, CallDetails details, RecordingStore store)
    {
        if (http.Viewer() is not { } viewer || await details.Load(viewer, id, http.RequestAborted) is not { } view) return Results.NotFound();
        if (!(viewer.IsTrainer || viewer.IsAdmin || viewer.IsMonitor)) return Results.StatusCode(403);
        if (!(end > start) || start < 0) return Results.BadRequest(new { error = "clip needs 0 <= start < end" });
        var path = store.FullPath(view.Call.StorePath);
        if (!File.Exists(path)) return Results.NotFound(new { error = "the recording is no longer in the store (retention)" });
        var text = new StringBuilder($"call {view.Call.ExternalCallId ?? id.ToString()} agent {view.Call.AgentId} clip {Ui.Time(start)}-{Ui.Time(end)}\n");
        foreach (var s in view.Segments.Where(s => s.End > start && s.Start < end))
            text.Append($"[{Ui.Time(s.Start)}] {s.Speaker}: {s.Text}\n");
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            var bytes = await File.ReadAllBytesAsync(path, http.RequestAborted);
            var cut = WavClip.Cut(bytes, start, end);
            var audio = archive.CreateEntry(cut is null ? "recording" + Path.GetExtension(path) : "clip.wav");
            await using (var s = audio.Open()) await s.WriteAsync(cut ?? bytes, http.RequestAborted);
            var transcript = archive.CreateEntry("transcript.txt");
            await using (var s = transcript.Open()) await s.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), http.RequestAborted);
        }
        zip.Position = 0;
        return Results.File(zip, "application/zip", $"call-{id}-{start:0}-{end:0}.zip");
    }
}

/// <summary>Cuts a PCM WAV between two times without re-encoding (null for anything else).</summary>
internal static class WavClip
{
    public static byte[]? Cut(byte[] wav, double start, double end)
    {
        if (wav.Length < 44 || Encoding.ASCII.GetString(wav, 0, 4) != "RIFF" || Encoding.ASCII.GetString(wav, 8, 4) != "WAVE") return null;
        int pos = 12, fmtPos = -1, dataPos = -1, dataLen = 0;
        while (pos + 8 <= wav.Length)
        {
            var id = Encoding.ASCII.GetString(wav, pos, 4);
            var len = BitConverter.ToInt32(wav, pos + 4);
            if (id == "fmt ") fmtPos = pos + 8;
            if (id == "data") { dataPos = pos + 8; dataLen = Math.Min(len, wav.Length - dataPos); break; }
            pos += 8 + len + (len & 1);
        }
        if (fmtPos < 0 || dataPos < 0 || BitConverter.ToInt16(wav, fmtPos) != 1) return null;
        var channels = BitConverter.ToInt16(wav, fmtPos + 2);
        var rate = BitConverter.ToInt32(wav, fmtPos + 4);
        var bits = BitConverter.ToInt16(wav, fmtPos + 14);
        var frame = channels * bits / 8;
        long from = Math.Clamp((long)(start * rate), 0, dataLen / frame) * frame;
        long to = Math.Clamp((long)(end * rate), 0, dataLen / frame) * frame;
        var n = (int)(to - from);
        var output = new byte[44 + n];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(output, 0);
        BitConverter.GetBytes(36 + n).CopyTo(output, 4);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(output, 8);
        BitConverter.GetBytes(16).CopyTo(output, 16);
        BitConverter.GetBytes((short)1).CopyTo(output, 20);
        BitConverter.GetBytes(channels).CopyTo(output, 22);
        BitConverter.GetBytes(rate).CopyTo(output, 24);
        BitConverter.GetBytes(rate * frame).CopyTo(output, 28);
        BitConverter.GetBytes((short)frame).CopyTo(output, 32);
        BitConverter.GetBytes(bits).CopyTo(output, 34);
        Encoding.ASCII.GetBytes("data").CopyTo(output, 36);
        BitConverter.GetBytes(n).CopyTo(output, 40);
        Array.Copy(wav, dataPos + from, output, 44, n);
        return output;
    }
}
