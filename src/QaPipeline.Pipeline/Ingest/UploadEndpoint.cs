using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using QaPipeline.Centre;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Ingest;

/// <summary>
/// <c>POST /api/calls</c>, multipart/form-data: fields call_id, agent_id, team, queue, direction, start_time,
/// customer_number, language, agent_channel, rubric; a part "audio" (the recording); optionally a part "transcript" (imported transcript).
/// The body is read section by section and the recording streamed straight into the store, so nothing is
/// buffered to a temporary folder outside it and an oversized upload is cut off at the limit. Only a machine with the
/// API key gets here (the endpoint's policy, <see cref="QaPipeline.Centre.Access.CallerAccess.Uploaders"/>).
/// </summary>
public static class UploadEndpoint
{
    private const int MaxFieldBytes = 64 * 1024;

    public static async Task<IResult> Handle(HttpContext http, PipelineOptions options, RecordingStore store, CallIngestor ingestor,
        CallRepository calls, QueueSweeper sweeper)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxUploadBytes + TranscriptFormat.MaxChars + 1024 * 1024;
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
            return Error("send multipart/form-data with a part named 'audio'", 400);

        var watch = Stopwatch.StartNew();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        byte[]? transcript = null;
        RecordingStore.Stored? stored = null;
        string? name = null;
        try
        {
            var reader = new MultipartReader(boundary, http.Request.Body) { HeadersLengthLimit = 16 * 1024 };
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var part = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (part == "audio")
                {
                    if (stored is not null) return Error("one recording per upload", 400);
                    name = CallIngestor.SafeName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
                    stored = await store.Store(section.Body, http.RequestAborted);
                }
                else if (part == "transcript")
                    transcript = await ReadLimited(section.Body, TranscriptFormat.MaxChars * 4, "transcript");
                else
                    fields[part] = System.Text.Encoding.UTF8.GetString(await ReadLimited(section.Body, MaxFieldBytes, part));
            }
            if (stored is null || name is null) return Error("no part named 'audio' in the upload", 400);
            var meta = Sidecars.ParseMetadataJson(System.Text.Json.JsonSerializer.Serialize(fields), "upload form");
            var imported = transcript is null ? null : CallIngestor.ParseSidecar(name, transcript);
            var result = await ingestor.Register(stored, name, meta, imported, "upload", watch, http.RequestAborted);
            // Someone is waiting for this one: it enters the pipeline ahead of the backlog.
            if (!result.Duplicate) await calls.Prioritise(result.CallId, http.RequestAborted);
            sweeper.Wake();
            return Results.Json(new
            {
                call_id = result.CallId, duplicate = result.Duplicate, content_hash = result.ContentHash,
                imported_transcript = result.ImportedTranscript,
            }, statusCode: result.Duplicate ? 200 : 201);
        }
        catch (RecordingRejectedException e)
        {
            return Error(e.Message, e.HttpStatus);
        }
        catch (FormatException e)
        {
            return Error(e.Message, 400);
        }
        catch (StoreFullException e)
        {
            return Error(e.Message, 507);
        }
        catch (BadHttpRequestException e)
        {
            return Error($"upload refused: {e.Message}", e.StatusCode);
        }
        catch (InvalidDataException e)
        {
            return Error($"malformed multipart body: {e.Message}", 400);
        }
    }

    private static IResult Error(string message, int status) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<byte[]> ReadLimited(Stream body, int max, string part)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > max) throw new RecordingRejectedException($"form part '{part}' is larger than {max:N0} bytes", 413);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

/// <summary>The JSON shapes of the call API and <c>qa calls</c>.</summary>
public static class CallJson
{
    public static object Summary(CallRecord c) => new
    {
        call_id = c.Id, external_call_id = c.ExternalCallId, agent_id = c.AgentId, team = c.Team, queue = c.Queue,
        direction = c.Direction, started_at = c.StartedAt, status = c.Status, failure_reason = c.FailureReason,
        original_name = c.OriginalName, content_hash = c.ContentHash, store_path = c.StorePath, ingested_at = c.IngestedAt,
        recording_deleted_at = c.RecordingDeletedAt, language = c.Language, language_source = c.LanguageSource,
        agent_channel = c.AgentChannel, rubric_override = c.RubricOverride,
    };

    public static object Detail(CallRecord c, IEnumerable<StageRecord> stages, IEnumerable<ScorecardRecord> scorecards,
        IEnumerable<ReviewFlagRecord> flags) => new
    {
        call = Summary(c),
        stages = stages.Select(s => new
        {
            stage = s.Stage, state = s.State, attempts = s.Attempts, last_error = s.LastError, duration_ms = s.DurationMs,
            started_at = s.StartedAt, finished_at = s.FinishedAt,
        }),
        scorecards = scorecards.Select(s => new
        {
            id = s.Id, rubric = s.RubricId, rubric_version = s.RubricVersion, routing_rule = s.RoutingRule, score = s.Score, max_score = s.MaxScore,
            fatal = s.Fatal, current = s.IsCurrent, created_at = s.CreatedAt,
        }),
        review_flags = flags.Select(f => new { reason = f.Reason, detail = f.Detail, status = f.Status, scorecard_id = f.ScorecardId }),
    };
}
