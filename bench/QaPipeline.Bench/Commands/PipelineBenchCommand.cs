using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Cli.Commands;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Audio.Wav;

using QaPipeline.TestSupport;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench pipeline</c>: a backlog of N calls (a short unique WAV each, with an imported five-minute transcript)
/// ingested first, then processed end to end; prints what a user waits for — time to the first scorecard against
/// the time the whole backlog takes, how many calls were scored by each quarter of it, p50/p95 ingest→scored —
/// and calls/minute with per-stage timings. On SQLite the workers run in process (the embedded default); on
/// PostgreSQL (a private cluster, or QA_DB_CONNECTION) each worker is a separate <c>qa worker</c> process, and
/// <c>--workers 1,2</c> compares node counts. The audio stage follows QA_ANALYZE (off = not measured).
/// </summary>
public static class PipelineBenchCommand
{
    public static Command Create()
    {
        var callsOpt = new Option<int>("--calls") { Description = "Calls to ingest and process", DefaultValueFactory = _ => 1000 };
        var dbOpt = new Option<string>("--db") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        var workersOpt = new Option<string>("--workers") { Description = "PostgreSQL: worker processes per run, e.g. 1,2", DefaultValueFactory = _ => "1,2" };
        var threadsOpt = new Option<int>("--threads") { Description = "Worker threads per node", DefaultValueFactory = _ => 2 };
        var cmd = new Command("pipeline", "End-to-end pipeline latency and throughput: first scorecard, p50/p95, calls/minute") { callsOpt, dbOpt, workersOpt, threadsOpt };
        cmd.SetAction(p =>
        {
            var n = p.GetValue(callsOpt);
            if (n < 1) throw new UserInputException("--calls must be at least 1");
            var threads = Math.Max(1, p.GetValue(threadsOpt));
            var engine = Database.ParseEngine(p.GetValue(dbOpt));
            var work = Path.Combine(Path.GetTempPath(), $"qa-bench-{Guid.NewGuid():N}"[..20]);
            try
            {
                var input = Path.Combine(work, "in");
                MakeCalls(input, n);
                if (engine == DatabaseEngine.Sqlite)
                {
                    Run(engine, Path.Combine(work, "qa.db"), work, input, n, threads, processes: 0);
                    return 0;
                }
                if (engine != DatabaseEngine.Postgres) throw new UserInputException("--db must be sqlite or postgres");
                var counts = p.GetValue(workersOpt)!.Split(',').Select(s => int.TryParse(s, out var w) && w > 0 ? w
                    : throw new UserInputException($"--workers: '{s}' is not a positive number")).ToList();
                var given = PipelineCli.Variables().DbConnection;
                using var cluster = string.IsNullOrEmpty(given) ? LocalPostgres.Start() : null;
                foreach (var processes in counts)
                {
                    var cs = cluster?.CreateDatabase($"qa_bench_{processes}_{Environment.ProcessId}")
                             ?? throw new UserInputException("with QA_DB_CONNECTION set, give one --workers value and an empty database");
                    Run(engine, cs, Path.Combine(work, $"w{processes}"), input, n, threads, processes);
                }
                return 0;
            }
            finally
            {
                try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        });
        return cmd;
    }

    private static void MakeCalls(string folder, int n)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < n; i++)
        {
            var name = Path.Combine(folder, $"call{i:00000}");
            File.WriteAllBytes(name + ".wav", Wav(i));
            File.WriteAllText(name + ".transcript.json", TranscriptFormat.ToJson(SyntheticCalls.Create(i)));
            File.WriteAllText(name + ".json",
                $$"""{"call_id": "B-{{i}}", "agent_id": "A{{i % 50:00}}", "team": "T{{i % 5}}", "queue": "orders", "direction": "inbound", "start_time": "2026-03-02T09:00:00+08:00"}""");
        }
    }

    /// <summary>0.25 s of 8 kHz mono PCM whose samples encode the seed, so every recording hashes differently.</summary>
    private static byte[] Wav(int seed)
    {
        var data = new byte[4000];
        var random = new Random(seed);
        random.NextBytes(data);
        return PcmWav.FromPcm16(8000, 1, data);
    }

    /// <summary>Seconds from the first call a worker took (the backlog was ingested before) to each scorecard: the first,
    /// the last, the share of calls scored by each quarter of the whole (0.25/0.50/0.75 is a steady flow; 0/0/0
    /// is everything at the end), and p50/p95 of ingest→scored per call.</summary>
    private static object? Latency(IReadOnlyList<(long Id, DateTime IngestedAt, DateTime ScoredAt)> scored, DateTime workStart)
    {
        if (scored.Count == 0) return null;
        var done = scored.Select(s => (s.ScoredAt - workStart).TotalSeconds).Order().ToList();
        var waited = scored.Select(s => (s.ScoredAt - s.IngestedAt).TotalSeconds).Order().ToList();
        var whole = done[^1];
        double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
        return new
        {
            first_scorecard_s = Math.Round(done[0], 2),
            whole_backlog_s = Math.Round(whole, 2),
            first_to_whole = Math.Round(done[0] / whole, 3),
            scored_by_quarter = new[] { 0.25, 0.5, 0.75, 1.0 }.Select(q => Math.Round(done.Count(d => d <= q * whole) / (double)done.Count, 2)),
            ingest_to_scored_p50_s = Math.Round(Percentile(waited, 0.5), 2),
            ingest_to_scored_p95_s = Math.Round(Percentile(waited, 0.95), 2),
        };
    }

    private static void Run(DatabaseEngine engine, string connection, string dataDir, string input, int n, int threads, int processes)
    {
        var options = PipelineCli.Options();
        options.Engine = engine;
        options.ConnectionString = connection;
        options.StorePath = Path.Combine(dataDir, "store");
        options.WorkerCount = threads;
        options.SweepInterval = TimeSpan.FromMilliseconds(200);
        options.StoreMinFreeBytes = 0;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        // SQLite: this process is the node. PostgreSQL: this process only ingests; the workers are child processes.
        builder.Services.AddPipeline(options, workers: processes == 0);
        using var host = builder.Build();
        var ingestor = host.Services.MigrateDatabase().GetRequiredService<CallIngestor>();
        var calls = host.Services.GetRequiredService<CallRepository>();
        var children = new List<Process>();
        var total = Stopwatch.StartNew();
        try
        {
            var ingestWatch = Stopwatch.StartNew();
            PipelineCli.IngestPaths(ingestor, [input], null, _ => { }, CancellationToken.None).GetAwaiter().GetResult();
            var ingestSeconds = ingestWatch.Elapsed.TotalSeconds;
            if (processes == 0) host.Start();
            for (var i = 0; i < processes; i++)
            {
                // The workers are the product's own `qa worker` (qa.dll sits beside this tool).
                var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "qa.dll"), "worker"]) { RedirectStandardError = true, RedirectStandardOutput = true };
                psi.Environment["QA_DB"] = "postgres";
                psi.Environment["QA_DB_CONNECTION"] = connection;
                psi.Environment["QA_STORE"] = options.StorePath;
                psi.Environment["QA_WORKERS"] = threads.ToString(CultureInfo.InvariantCulture);
                psi.Environment["QA_SWEEP_MS"] = "200";
                psi.Environment["QA_STORE_MIN_FREE_BYTES"] = "0";
                var child = Process.Start(psi)!;
                child.ErrorDataReceived += (_, _) => { };
                child.OutputDataReceived += (_, _) => { };
                child.BeginErrorReadLine();
                child.BeginOutputReadLine();
                children.Add(child);
            }
            var processWatch = Stopwatch.StartNew();
            IReadOnlyDictionary<string, long> counts;
            // The backlog's clock starts when a worker takes the first call, not while worker processes start up.
            DateTime? workStart = null;
            var startupSeconds = 0.0;
            while (true)
            {
                counts = calls.CountByStatus().GetAwaiter().GetResult();
                if (workStart is null && counts.GetValueOrDefault(CallStatus.Pending) < n)
                    (workStart, startupSeconds) = (DateTime.UtcNow, processWatch.Elapsed.TotalSeconds);
                if (counts.GetValueOrDefault(CallStatus.Pending) + counts.GetValueOrDefault(CallStatus.Processing) == 0) break;
                Thread.Sleep(50);
            }
            var processSeconds = processWatch.Elapsed.TotalSeconds;
            var seconds = total.Elapsed.TotalSeconds;
            var stages = calls.StageTimings().GetAwaiter().GetResult()
                .Where(s => s.State is "succeeded" or "skipped")
                .Select(s => new { stage = s.Stage, state = s.State, calls = s.Calls, mean_ms = Math.Round(s.MeanMs ?? 0, 1), max_ms = s.MaxMs });
            var latency = Latency(calls.ScoredTimes().GetAwaiter().GetResult(), workStart ?? DateTime.UtcNow);
            PipelineCli.Print(new
            {
                benchmark = "pipeline",
                db = engine.ToString().ToLowerInvariant(),
                worker_processes = processes == 0 ? 1 : processes,
                threads_per_worker = threads,
                cores = Environment.ProcessorCount,
                calls = n,
                scored = counts.GetValueOrDefault(CallStatus.Scored),
                failed = counts.GetValueOrDefault(CallStatus.Failed),
                acoustic_analysis = options.AnalyzeAudio,
                seconds = Math.Round(seconds, 1),
                calls_per_minute = Math.Round(n / seconds * 60),
                ingest_calls_per_minute = Math.Round(n / ingestSeconds * 60),
                processing_calls_per_minute = Math.Round(n / processSeconds * 60),
                worker_startup_s = Math.Round(startupSeconds, 1),
                latency,
                stages,
            });
        }
        finally
        {
            foreach (var child in children)
            {
                try { child.Kill(entireProcessTree: true); child.WaitForExit(10_000); } catch (InvalidOperationException) { }
                child.Dispose();
            }
            if (processes == 0) host.StopAsync().GetAwaiter().GetResult();
        }
    }
}
