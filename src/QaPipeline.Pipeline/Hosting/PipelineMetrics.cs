using System.Diagnostics.Metrics;
using Hangfire;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// What an operator watches (OpenTelemetry instruments, served as Prometheus text at <c>/metrics</c>, see
/// docs/operations.md for names and alerts): how long each stage takes, how many calls wait at each stage, how
/// old the oldest unfinished call is, parked calls and retries per stage, calls scored. Durations and counts are
/// measured by the worker that ran the stage; the backlog figures are read from the product tables and the job
/// storage when scraped, so every node reports the same backlog.
/// </summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "QaPipeline.Pipeline";

    /// <summary>The "stage" label value of calls not yet handed to the workers.</summary>
    public const string Admission = "admission";

    private readonly CallRepository _calls;
    private readonly JobStorage _storage;
    private readonly TimeProvider _clock;
    private readonly ILogger<PipelineMetrics> _log;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _stageFailures;
    private readonly Counter<long> _stageRetries;
    private readonly Counter<long> _callsScored;
    private readonly Lock _gate = new();
    private (Measurement<long>[] Depths, Measurement<double>[] OldestAge, long At)? _backlog;

    public PipelineMetrics(IMeterFactory meters, CallRepository calls, JobStorage storage, TimeProvider clock, ILogger<PipelineMetrics> log)
    {
        _calls = calls;
        _storage = storage;
        _clock = clock;
        _log = log;
        var meter = meters.Create(MeterName);
        _stageDuration = meter.CreateHistogram("qa.stage.duration", "s",
            "Time one stage took for one call, by stage and outcome (succeeded, skipped, failed)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200] });
        _stageFailures = meter.CreateCounter<long>("qa.stage.failures", "{call}", "Calls parked at a stage: a failure retrying will not fix");
        _stageRetries = meter.CreateCounter<long>("qa.stage.retries", "{run}", "Stage runs that were not the call's first attempt at that stage");
        _callsScored = meter.CreateCounter<long>("qa.calls.scored", "{call}", "Calls that finished the pipeline with a scorecard");
        meter.CreateObservableGauge("qa.queue.depth", () => Backlog().Depths, "{call}",
            "Calls waiting per stage: 'admission' = not yet handed to the workers, the others = jobs in that stage's queue");
        meter.CreateObservableGauge("qa.backlog.oldest_age", () => Backlog().OldestAge, "s",
            "Age of the oldest unfinished call since it was ingested (0 when nothing waits)");
    }

    public void StageFinished(string stage, string outcome, TimeSpan duration, int attempt)
    {
        var stageTag = new KeyValuePair<string, object?>("stage", stage);
        _stageDuration.Record(duration.TotalSeconds, stageTag, new KeyValuePair<string, object?>("outcome", outcome));
        if (attempt > 1) _stageRetries.Add(1, stageTag);
        if (outcome == "failed") _stageFailures.Add(1, stageTag);
    }

    public void CallScored() => _callsScored.Add(1);

    /// <summary>One read of the backlog per scrape (both gauges share it; a second scrape within a second reuses it).</summary>
    private (Measurement<long>[] Depths, Measurement<double>[] OldestAge, long At) Backlog()
    {
        lock (_gate)
        {
            if (_backlog is { } recent && Environment.TickCount64 - recent.At < 1000) return recent;
            try
            {
                // Instrument callbacks are synchronous; these are two short indexed queries.
                var (waiting, oldest) = _calls.Backlog().GetAwaiter().GetResult();
                var monitoring = _storage.GetMonitoringApi();
                var depths = StageQueues.ByStage
                    .Select(s => new Measurement<long>(monitoring.EnqueuedCount(s.Queue), new KeyValuePair<string, object?>("stage", s.Stage)))
                    .Prepend(new Measurement<long>(waiting, new KeyValuePair<string, object?>("stage", Admission)))
                    .ToArray();
                var age = oldest is { } o
                    ? Math.Max(0, (_clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(o, DateTimeKind.Utc)).TotalSeconds)
                    : 0;
                _backlog = (depths, [new Measurement<double>(age)], Environment.TickCount64);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A scrape during a database outage leaves the backlog series out (an alert on them sees "absent",
                // not a reassuring zero) rather than failing the whole scrape.
                _log.LogWarning("backlog metrics unavailable: {Error}", e.Message);
                _backlog = ([], [], Environment.TickCount64);
            }
            return _backlog.Value;
        }
    }
}
