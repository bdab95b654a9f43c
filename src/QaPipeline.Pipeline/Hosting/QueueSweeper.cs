using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// Hands calls that wait in the product tables to the Hangfire queue. The tables are the source of truth:
/// a call ingested by another process (<c>qa ingest</c>), retried with <c>qa calls retry</c>, or left over
/// from an in-memory queue that died with its process is enqueued here, once (the claim is an atomic update,
/// so with several nodes only one enqueues it).
/// <para>Admission is the scheduler's first half: only a short window of calls is in the workers' hands at a
/// time (<see cref="Window"/>), taken in the order <see cref="CallRepository.Unqueued"/> gives — people waiting
/// first, then a fair share across teams — so a call uploaded behind a night's backlog starts within seconds.
/// The second half is the per-stage queues (<see cref="StageQueues"/>): inside the window, later stages first.</para>
/// </summary>
public sealed class QueueSweeper(CallRepository calls, IBackgroundJobClient jobs, JobStorage storage, PipelineOptions options,
    TimeProvider clock, ILogger<QueueSweeper> log) : BackgroundService, IQueueWake
{
    private readonly SemaphoreSlim _wake = new(0);
    private (int Workers, long At)? _workers;

    /// <summary>Sweep now rather than at the next interval (after an upload, or when a call finished and freed
    /// a place in the window).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    public async Task<int> SweepOnce(CancellationToken ct)
    {
        var room = Window() - await calls.InFlight(ct);
        if (room <= 0) return 0;
        var enqueued = 0;
        foreach (var id in await calls.Unqueued((int)Math.Min(room, 500), ct))
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

    /// <summary>
    /// How many calls may be in the workers' hands at once: QA_ADMISSION_WINDOW, else twice the worker threads of
    /// every node taking stage work (ASR nodes included), read from Hangfire's server list — each worker has a
    /// call in hand and one ready, and the order of the rest is still open.
    /// </summary>
    public int Window()
    {
        if (options.AdmissionWindow is { } fixedWindow) return fixedWindow;
        var now = Environment.TickCount64;
        if (_workers is not { } known || now - known.At > 10_000)
        {
            var stageQueues = StageQueues.ByStage.Select(s => s.Queue).ToHashSet();
            var workers = storage.GetMonitoringApi().Servers()
                .Where(s => s.Queues.Any(stageQueues.Contains)).Sum(s => s.WorkersCount);
            // Before the first server has registered (or on a node without workers) assume this node's own.
            _workers = (Math.Max(workers, options.WorkerCount), now);
        }
        return 2 * _workers.Value.Workers;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Engine == DatabaseEngine.Sqlite)
        {
            // Hangfire.InMemory starts empty: every unfinished call goes back in line (nothing lost on restart).
            var released = await calls.ReleaseQueueClaims(stoppingToken);
            if (released > 0) log.LogInformation("re-enqueueing {Count} unfinished calls after start", released);
        }
        var lastStallCheck = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow().UtcDateTime;
                // The stall check scans call_stages: once per interval, not on every wake-up.
                if (now - lastStallCheck >= options.SweepInterval)
                {
                    lastStallCheck = now;
                    var stalled = await calls.ReleaseStalled(now - options.StallTimeout, stoppingToken);
                    if (stalled > 0) log.LogWarning("{Count} calls had no stage activity for {Timeout}: enqueueing them again", stalled, options.StallTimeout);
                }
                var n = await SweepOnce(stoppingToken);
                if (n > 0) log.LogDebug("admitted {Count} calls to the pipeline", n);
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
