using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// Hands calls that wait in the product tables to the Hangfire queue. The tables are the source of truth:
/// a call ingested by another process (<c>qa ingest</c>), retried with <c>qa calls retry</c>, or left over
/// from an in-memory queue that died with its process is enqueued here, once (the claim is an atomic update,
/// so with several nodes only one enqueues it).
/// </summary>
public sealed class QueueSweeper(CallRepository calls, IBackgroundJobClient jobs, PipelineOptions options, TimeProvider clock,
    ILogger<QueueSweeper> log) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Sweep now rather than at the next interval (after an upload).</summary>
    public void Wake() => _wake.Release();

    public async Task<int> SweepOnce(CancellationToken ct)
    {
        var enqueued = 0;
        foreach (var id in await calls.Unqueued(500, ct))
        {
            if (!await calls.ClaimForQueue(id, clock.GetUtcNow().UtcDateTime, ct)) continue;
            try
            {
                jobs.Enqueue<CallStages>(j => j.Analyse(id));
            }
            catch (Exception)
            {
                // Not in the queue after all: give the claim back so the next sweep (here or on another node) retries.
                await calls.ReleaseClaim(id, ct);
                throw;
            }
            enqueued++;
        }
        return enqueued;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Engine == DatabaseEngine.Sqlite)
        {
            // Hangfire.InMemory starts empty: every unfinished call goes back in line (nothing lost on restart).
            var released = await calls.ReleaseQueueClaims(stoppingToken);
            if (released > 0) log.LogInformation("re-enqueueing {Count} unfinished calls after start", released);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var stalled = await calls.ReleaseStalled(clock.GetUtcNow().UtcDateTime - options.StallTimeout, stoppingToken);
                if (stalled > 0) log.LogWarning("{Count} calls had no stage activity for {Timeout}: enqueueing them again", stalled, options.StallTimeout);
                var n = await SweepOnce(stoppingToken);
                if (n > 0) log.LogInformation("enqueued {Count} calls", n);
                if (n == 500) continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("queue sweep failed, will try again: {Error}", e.Message);
            }
            try { await _wake.WaitAsync(options.SweepInterval, stoppingToken); } catch (OperationCanceledException) { }
        }
    }
}
