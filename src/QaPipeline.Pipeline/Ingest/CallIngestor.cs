using System.Diagnostics;
using QaPipeline.Centre.Recordings;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Ingest;

/// <summary>One recording arriving, from a folder, an upload or <c>qa ingest</c>.</summary>
public sealed record IngestRequest(Stream Audio, string OriginalName, CallMetadata Metadata, byte[]? TranscriptSidecar, string Channel);

public sealed record IngestResult(long CallId, bool Duplicate, string ContentHash, string StorePath, bool ImportedTranscript);

/// <summary>
/// Ingest stage: validate, store the original, register the call (deduplicated by content hash), keep an
/// imported transcript. The call then waits for the queue sweeper, which hands it to the workers.
/// </summary>
public sealed class CallIngestor(RecordingStore store, CallRepository calls, ResultRepository results, AuditLog audit, TimeProvider clock,
    RubricLibrary? rubrics = null)
{
    public async Task<IngestResult> Ingest(IngestRequest request, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var name = SafeName(request.OriginalName);
        // The transcript is checked before anything is stored: a bad sidecar rejects the whole call.
        var imported = request.TranscriptSidecar is { } sidecar ? ParseSidecar(name, sidecar) : null;
        CheckRubric(name, request.Metadata);
        var stored = await store.Store(request.Audio, ct);
        return await Register(stored, name, request.Metadata, imported, request.Channel, watch, ct);
    }

    /// <summary>Registers a recording already in the store (the upload endpoint streams it in first).</summary>
    public async Task<IngestResult> Register(RecordingStore.Stored stored, string name, CallMetadata metadata, Transcript? imported,
        string channel, Stopwatch watch, CancellationToken ct = default)
    {
        CheckRubric(name, metadata);
        var request = (Metadata: metadata, Channel: channel);
        var now = clock.GetUtcNow().UtcDateTime;
        var (id, created) = await calls.Insert(stored.ContentHash, stored.RelativePath, name, stored.SizeBytes, request.Metadata, now, ct);
        if (imported is not null)
        {
            var minConfidence = imported.Segments.Where(s => s.Confidence is not null).Select(s => s.Confidence).Min();
            await results.SaveTranscript(id, "imported", imported.Language, minConfidence,
                TranscriptFormat.ToJson(imported with { CallId = imported.CallId ?? request.Metadata.CallId }), now, ct);
        }
        if (created)
        {
            await calls.StageFinished(id, Stage.Ingest, "succeeded", watch.ElapsedMilliseconds, null, now, ct);
            await audit.Write("pipeline", "ingest", "call", id.ToString(), $"{request.Channel}: {name} ({stored.SizeBytes} bytes)", now, ct);
        }
        return new IngestResult(id, !created, stored.ContentHash, stored.RelativePath, imported is not null);
    }

    /// <summary>A rubric named in the metadata must exist in the rules folder: a typo would otherwise park the call at
    /// the score stage after all the audio work, or worse, be routed as if nothing had been asked.</summary>
    private void CheckRubric(string name, CallMetadata metadata)
    {
        if (metadata.Rubric is not { } id || rubrics is null) return;
        var known = rubrics.RubricIds();
        if (!known.Contains(id))
            throw new RecordingRejectedException($"{name}: rubric '{id}' is not a rubric of {rubrics.Folder} (known: {string.Join(", ", known)})");
    }

    public static Transcript ParseSidecar(string name, byte[] sidecar)
    {
        try
        {
            return TranscriptFormat.Parse(sidecar) with { Source = TranscriptSource.Imported };
        }
        catch (FormatException e)
        {
            throw new RecordingRejectedException($"{name}: sidecar transcript: {e.Message}");
        }
    }

    /// <summary>The name is only a label (the store path is the hash), but a name that tries to climb out of a
    /// folder says the upload is hostile or broken: refuse it with a clear message.</summary>
    public static string SafeName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new RecordingRejectedException("recording has no file name");
        if (name.Contains('\0') || name.Contains("..") || name.Contains('/') || name.Contains('\\') || Path.IsPathRooted(name)
            || name.Any(char.IsControl))
            throw new RecordingRejectedException($"file name '{name.Replace('\0', '?')}' is not a plain file name (path separators or '..' are refused)");
        if (name.Length > 255) throw new RecordingRejectedException("file name is longer than 255 characters");
        return name;
    }
}
