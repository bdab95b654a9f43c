using System.Globalization;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Centre.Recordings;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Recordings;

/// <summary>What one retention run did.</summary>
public sealed record RetentionOutcome(int Days, DateTime Cutoff, int Deleted, int AlreadyGone);

/// <summary>
/// Enforces the admin's "keep recordings N days" (<c>web_settings</c> key <see cref="CentreSettings.RetentionDays"/>): deletes the
/// audio of calls older than that from the store and records when. Recordings are personal data the centre must
/// not keep longer than its policy says; the transcript, scorecards, reviews and audit trail stay, so history and
/// rescoring do not depend on the audio. Calls still in use (open dispute, review being drafted, calibration
/// session not closed) keep theirs until that work is done. A daily recurring Hangfire job, or <c>qa calls retention</c>.
/// </summary>
public sealed class RecordingRetention(CentreSettings settings, CallRepository calls, RecordingStore store, AuditLog audit, TimeProvider clock,
    ILogger<RecordingRetention> log)
{
    public const string JobId = "recordings.retention";

    public async Task<int> Days(CancellationToken ct = default) => CentreSettings.RetentionDaysOf(await settings.Get(CentreSettings.RetentionDays, ct));

    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    [Hangfire.AutomaticRetry(Attempts = 0)] // the next daily run picks up whatever this one left
    public async Task<RetentionOutcome> Run(CancellationToken ct = default)
    {
        var days = await Days(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-days);
        int deleted = 0, alreadyGone = 0;
        while (await calls.RecordingsPastRetention(cutoff, 500, ct) is { Count: > 0 } due)
        {
            foreach (var (id, path) in due)
            {
                // The file goes first, then the mark: a crash in between leaves an unmarked call whose file is gone
                // (the next run marks it), never a call marked deleted whose audio is still kept.
                if (store.Delete(path)) deleted++;
                else alreadyGone++;
                await calls.MarkRecordingDeleted(id, now, ct);
            }
        }
        if (deleted + alreadyGone > 0)
        {
            log.LogInformation("retention: deleted {Deleted} recordings of calls before {Cutoff:yyyy-MM-dd} ({Days} days)", deleted, cutoff, days);
            await audit.Write("pipeline", "retention", "recordings", cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                $"{deleted} recordings deleted, {alreadyGone} already gone; keep {days} days", now, ct);
        }
        return new RetentionOutcome(days, cutoff, deleted, alreadyGone);
    }
}
