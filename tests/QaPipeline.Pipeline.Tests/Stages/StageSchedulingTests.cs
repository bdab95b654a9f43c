using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Stages;

/// <summary>
/// The order calls move through the stages, pinned by the order of the stage events the workers log (no clocks):
/// depth-first (a call's later stages before other calls' earlier ones), a short admission window so results
/// come steadily through a backlog, people waiting first and a fair share across teams.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class StageSchedulingTests(EngineFixture engines)
{
    [Fact]
    public async Task One_worker_finishes_each_call_before_it_starts_the_next_even_with_the_whole_backlog_in_its_queue()
    {
        var (_, events) = await ProcessBacklog(calls: 12, workers: 1, window: 100);

        // Every call's four stages run back to back: analyse, transcribe, score, flag, then the next call.
        var perCall = events.Chunk(4).ToList();
        Assert.Equal(12, perCall.Count);
        Assert.All(perCall, run =>
        {
            Assert.Single(run.Select(e => e.CallId).Distinct());
            Assert.Equal([Stage.Analyse, Stage.Transcribe, Stage.Score, Stage.Flag], run.Select(e => e.Stage));
        });
        Assert.Equal(12, perCall.Select(r => r[0].CallId).Distinct().Count());
    }

    [Fact]
    public async Task A_backlog_of_36_calls_yields_its_first_scorecard_in_the_first_quarter_and_the_rest_steadily()
    {
        var (options, events) = await ProcessBacklog(calls: 36, workers: 2, window: null);

        var analysed = events.Where(e => e.Stage == Stage.Analyse).Select(e => e.CallId).ToList();
        Assert.Equal(36, analysed.Distinct().Count());
        var firstFlag = events.FindIndex(e => e.Stage == Stage.Flag);
        var analysedBeforeFirstScorecard = events.Take(firstFlag).Count(e => e.Stage == Stage.Analyse);
        Assert.True(analysedBeforeFirstScorecard <= 36 / 4, $"{analysedBeforeFirstScorecard} calls were analysed before the first was scored");

        // Steadily: at no point are more calls started than the admission window (twice the workers) plus the
        // calls whose last event is still being written allow, so scorecards keep arriving through the backlog.
        var window = 2 * options.WorkerCount;
        var started = 0;
        var finished = 0;
        var mostInFlight = 0;
        foreach (var e in events)
        {
            if (e.Stage == Stage.Analyse) started++;
            if (e.Stage == Stage.Flag) finished++;
            mostInFlight = Math.Max(mostInFlight, started - finished);
        }
        Assert.Equal(36, finished);
        Assert.InRange(mostInFlight, 1, window + options.WorkerCount);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task Calls_enter_the_pipeline_people_waiting_first_then_taking_turns_between_teams(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var now = new DateTime(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);
        var ids = new Dictionary<string, long>();
        foreach (var (name, team) in new[]
                 {
                     ("north1", "north"), ("north2", "north"), ("north3", "north"), ("north4", "north"), ("north5", "north"),
                     ("south1", "south"), ("south2", "south"), ("noteam", null), ("parked", "north"),
                 })
            ids[name] = (await calls.Insert(name, $"{name}.wav", name + ".wav", 10, new CallMetadata(Team: team), now)).Id;
        await calls.Park(ids["parked"], Stage.Analyse, "test");
        await calls.Prioritise(ids["south2"]);

        Assert.Equal(new[] { "south2", "north1", "south1", "noteam", "north2", "north3", "north4", "north5" }.Select(n => ids[n]),
            await calls.Unqueued(100));

        // An admin's re-run of a parked call is someone waiting; the re-run goes first among the waiting.
        Assert.True(await calls.Retry(ids["parked"], personWaiting: true));
        Assert.Equal(new[] { ids["south2"], ids["parked"] }, await calls.Unqueued(2));
        Assert.True(await calls.ClaimForQueue(ids["south2"], now));
        Assert.Equal(1, await calls.InFlight());
    }

    [Fact]
    public void Nodes_take_later_stages_first_and_asr_nodes_take_only_transcription()
    {
        Assert.Equal([StageQueues.Flag, StageQueues.Score, StageQueues.Transcribe, StageQueues.Analyse, "asr", "default"],
            StageQueues.ForRoles(["asr", "default"]));
        Assert.Equal([StageQueues.Transcribe, "asr"], StageQueues.ForRoles(["asr"]));
        // The storages that order by name (PostgreSQL, SQL Server) see the same priority as those that take the list order.
        var byName = StageQueues.ForRoles(["default", "asr"]);
        Assert.Equal(byName.Order(StringComparer.Ordinal), byName);
    }

    /// <summary>Ingests a backlog with no worker running, then starts a node and records its stage events in order.</summary>
    private async Task<(PipelineOptions Options, List<StageEvent> Events)> ProcessBacklog(int calls, int workers, int? window)
    {
        var db = engines.NewDatabase("sqlite");
        var dir = TestCalls.TempDir("qa-order");
        var options = TestCalls.Options(db, dir);
        options.WorkerCount = workers;
        options.AdmissionWindow = window;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPipeline(options, workers: false);
        using (var ingest = builder.Build())
        {
            for (var i = 0; i < calls; i++)
                await TestCalls.IngestFile(ingest.Services,
                    TestCalls.WriteCall(Path.Combine(dir, "in"), $"call{i:00}", 1000 + i, seconds: 0.2, agent: $"A{i % 3}"));
        }

        var recorder = new StageEventRecorder();
        using var node = await TestCalls.StartNode(options, services => services.AddSingleton<ILoggerProvider>(recorder));
        var counts = await TestCalls.WaitForIdle(node.Services.GetRequiredService<CallRepository>(), TimeSpan.FromSeconds(120));
        Assert.Equal(calls, counts[CallStatus.Scored]);
        await node.StopAsync();
        return (options, recorder.Events);
    }

    public sealed record StageEvent(long CallId, string Stage, string Outcome);

    /// <summary>Collects the workers' structured "stage finished" events, in the order they were written.</summary>
    private sealed class StageEventRecorder : ILoggerProvider, ILogger
    {
        private readonly List<StageEvent> _events = [];

        public List<StageEvent> Events
        {
            get { lock (_events) return [.. _events]; }
        }

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(CallStages).FullName ? this : NullLogger;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields) return;
            var values = fields.ToDictionary(f => f.Key, f => f.Value);
            if (values.TryGetValue("CallId", out var id) && values.TryGetValue("Stage", out var stage) && values.TryGetValue("Outcome", out var outcome))
                lock (_events) _events.Add(new StageEvent((long)id!, (string)stage!, (string)outcome!));
        }

        public void Dispose() { }

        private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }
}
