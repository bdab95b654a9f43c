using Dapper;
using QaPipeline.Storage;
using Xunit.Abstractions;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests.Pipeline;

/// <summary>
/// Faults with real processes: <c>qa worker</c> processes killed with SIGKILL, several workers sharing one
/// PostgreSQL, PostgreSQL stopped while jobs run. The database, queue, store and scoring are the real ones;
/// transcription is a stand-in script (no trained Whisper model exists here) that takes a few seconds, so a
/// worker can be killed in the middle of it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class WorkerFaultTests(EngineFixture engines, ITestOutputHelper output)
{
    private sealed record Rig(Database Db, string Dir, Dictionary<string, string> Env, CallRepository Calls, ResultRepository Results);

    private Rig Build(string engine, double transcribeSeconds)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-fault");
        var model = Path.Combine(dir, "model.bin");
        File.WriteAllText(model, "stand-in model");
        var transcript = Path.Combine(dir, "transcript.txt");
        File.WriteAllText(transcript, QaPipeline.Scoring.Transcripts.TranscriptFormat.ToJson(
            QaPipeline.Scoring.Transcripts.TranscriptFormat.Parse(TestCalls.GoodDialogue)));
        var script = Path.Combine(dir, "transcribe.sh");
        File.WriteAllText(script, $"#!/bin/sh\nsleep {transcribeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\ncat {transcript}\n");
        var env = new Dictionary<string, string>
        {
            ["QA_DB"] = engine,
            ["QA_DB_CONNECTION"] = db.ConnectionString,
            ["QA_STORE"] = Path.Combine(dir, "store"),
            ["QA_RUBRIC"] = TestCalls.Rubric,
            ["QA_MODEL"] = model,
            ["QA_TRANSCRIBE"] = $"/bin/sh {script} {{audio}}",
            ["QA_ANALYZE"] = "off",
            ["QA_SWEEP_MS"] = "200",
            ["QA_WORKERS"] = "2",
            ["QA_INVISIBILITY_TIMEOUT_S"] = "15",
            ["QA_STORE_MIN_FREE_BYTES"] = "0",
        };
        return new Rig(db, dir, env, new CallRepository(db), new ResultRepository(db));
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var until = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    /// <summary>A folder holding one recording without a transcript (so the stand-in transcription runs).</summary>
    private static string OneCall(Rig rig)
    {
        var input = Path.Combine(rig.Dir, "in");
        TestCalls.WriteCall(input, "call", 1, dialogue: null);
        return input;
    }

    private void Ingest(Rig rig, string folder)
    {
        var (exit, _, stderr) = QaProcess.Run(rig.Env, "ingest", folder);
        Assert.True(exit == 0, $"qa ingest failed: {stderr}");
    }

    /// <summary>On a failure, what Hangfire holds for the unfinished calls: their jobs with every state, the queue rows
    /// and the distributed locks. Written last, so the tail of a CI log shows it.</summary>
    private async Task WriteQueueState(Rig rig)
    {
        var unfinished = (await rig.Calls.List(null, 1000)).Where(c => c.Status != CallStatus.Scored).Select(c => c.Id).ToList();
        foreach (var id in unfinished)
        {
            var jobs = await rig.Db.Run(c => c.QueryAsync<string>("""
                SELECT j.id || ' ' || (j.invocationdata::json->>'Method') || ' ' || coalesce(j.statename, '-') || ' queue=' ||
                       coalesce((SELECT string_agg(q.queue || ' fetched=' || coalesce(q.fetchedat::text, 'no'), ',') FROM hangfire.jobqueue q WHERE q.jobid = j.id), 'none') ||
                       ' states=' || coalesce((SELECT string_agg(s.name || '@' || to_char(s.createdat, 'HH24:MI:SS') || coalesce(' ' || left(s.reason, 80), ''), ' > ' ORDER BY s.id)
                                               FROM hangfire.state s WHERE s.jobid = j.id), '')
                FROM hangfire.job j WHERE j.arguments::text LIKE @args ORDER BY j.id
                """, new { args = $"%\"{id}\"%" }));
            output.WriteLine($"hangfire jobs of call {id}:");
            foreach (var job in jobs) output.WriteLine("  " + job);
        }
        foreach (var l in await rig.Db.Run(c => c.QueryAsync<string>("SELECT resource || ' acquired=' || acquired::text FROM hangfire.lock")))
            output.WriteLine("lock " + l);
        output.WriteLine($"now {DateTime.UtcNow:HH:mm:ss} UTC");
    }

    [Fact]
    public async Task Worker_killed_during_transcription_leaves_the_call_to_the_next_worker_and_it_is_scored_once()
    {
        var rig = Build("sqlite", transcribeSeconds: 4);
        var input = OneCall(rig);
        Ingest(rig, input);
        var id = (await rig.Calls.List(null, 1)).Single().Id;

        using (var first = QaProcess.Start(rig.Env, "worker"))
        {
            await WaitFor(async () => (await rig.Calls.Stages(id)).Any(s => s is { Stage: Stage.Transcribe, State: "running" }),
                TimeSpan.FromSeconds(60), "transcription to start");
            first.KillHard();
            output.WriteLine($"killed worker {first.Id} during transcription");
        }
        Assert.Equal(0, await rig.Results.ScorecardCount(id));

        using var second = QaProcess.Start(rig.Env, "worker");
        await WaitFor(async () => (await rig.Calls.Get(id))!.Status == CallStatus.Scored, TimeSpan.FromSeconds(60), "the call to be scored");
        Assert.Equal(1, await rig.Results.ScorecardCount(id));
        var transcribe = (await rig.Calls.Stages(id)).Single(s => s.Stage == Stage.Transcribe);
        Assert.Equal(("succeeded", 2), (transcribe.State, transcribe.Attempts));
        Assert.Equal("whisper", (await rig.Results.Transcript(id))!.Source);
    }

    [Fact]
    public async Task On_postgresql_a_job_of_a_killed_worker_is_taken_over_by_the_other_worker_and_scored_once()
    {
        var rig = Build("postgres", transcribeSeconds: 4);
        var input = OneCall(rig);
        using var a = QaProcess.Start(rig.Env, "worker");
        using var b = QaProcess.Start(rig.Env, "worker");
        Ingest(rig, input);
        var id = (await rig.Calls.List(null, 1)).Single().Id;
        await WaitFor(async () => (await rig.Calls.Stages(id)).Any(s => s is { Stage: Stage.Transcribe, State: "running" }),
            TimeSpan.FromSeconds(60), "transcription to start");
        // Hangfire records which server (host:pid:guid) is processing the job: kill exactly that process.
        var server = await rig.Db.Run(c => c.QueryFirstAsync<string>("""
            SELECT s.data::json->>'ServerId' FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.invocationdata::text LIKE '%Transcribe%' ORDER BY s.id DESC
            """));
        var victim = new[] { a, b }.Single(w => server.Contains($":{w.Id}:"));
        victim.KillHard();
        output.WriteLine($"killed worker {victim.Id} ({server}) during transcription");
        await WaitFor(async () => (await rig.Calls.Get(id))!.Status == CallStatus.Scored, TimeSpan.FromSeconds(90),
            "the surviving worker to take the job over");
        Assert.Equal(1, await rig.Results.ScorecardCount(id));
        Assert.Equal(2, (await rig.Calls.Stages(id)).Single(s => s.Stage == Stage.Transcribe).Attempts);
    }

    [Fact]
    public async Task Three_worker_processes_on_one_postgresql_process_every_call_exactly_once()
    {
        var rig = Build("postgres", transcribeSeconds: 0.2);
        var input = Path.Combine(rig.Dir, "in");
        for (var i = 0; i < 24; i++) TestCalls.WriteCall(input, $"call{i:00}", 100 + i, dialogue: i % 2 == 0 ? TestCalls.GoodDialogue : null, agent: $"A{i % 4}");
        var workers = Enumerable.Range(0, 3).Select(_ => QaProcess.Start(rig.Env, "worker")).ToList();
        try
        {
            Ingest(rig, input);
            // The limit leaves room for a loaded CI machine (alone this takes ~10 s); speed is not what is checked.
            // On a time-out the message says where the calls stood and what the workers last logged.
            try
            {
                await WaitFor(async () => (await rig.Calls.CountByStatus()).GetValueOrDefault(CallStatus.Scored) == 24,
                    TimeSpan.FromSeconds(300), "24 scored calls");
            }
            catch (TimeoutException e)
            {
                var counts = string.Join(", ", (await rig.Calls.CountByStatus()).Select(kv => $"{kv.Key} {kv.Value}"));
                var logs = string.Join("\n---\n", workers.Select(w => string.Join('\n', w.Stderr.Split('\n').TakeLast(15))));
                throw new TimeoutException($"{e.Message}; calls: {counts}; workers' last stderr lines:\n{logs}");
            }
            foreach (var call in await rig.Calls.List(null, 100))
            {
                Assert.Equal(1, await rig.Results.ScorecardCount(call.Id));
                Assert.All(await rig.Calls.Stages(call.Id), s => Assert.Equal((1, s.Stage), (s.Attempts, s.Stage)));
            }
            var servers = await rig.Db.Run(c => c.QueryAsync<string>(
                "SELECT DISTINCT data::json->>'ServerId' FROM hangfire.state WHERE name = 'Processing'"));
            output.WriteLine($"jobs were processed by {servers.Count()} worker processes");
            Assert.True(servers.Count() >= 2, "the work should be shared between the worker processes");
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    [Fact]
    public async Task Job_locks_left_behind_by_a_worker_that_lost_the_database_stop_blocking_the_queue_within_a_minute()
    {
        // The outage test's failure, made certain: a worker that took a job's state lock as PostgreSQL went down
        // could not delete the lock row, and every worker then waited on that job until the row was 10 minutes old.
        var rig = Build("postgres", transcribeSeconds: 0.2);
        var input = OneCall(rig);
        using var worker = QaProcess.Start(rig.Env, "worker");
        // The server row appears once the Hangfire schema is fully installed (its tables gain columns script by script).
        await WaitFor(async () => await rig.Db.Run(c => c.ExecuteScalarAsync<bool>("SELECT to_regclass('hangfire.server') IS NOT NULL"))
                                  && await rig.Db.Run(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM hangfire.server)")),
            TimeSpan.FromSeconds(60), "the worker's Hangfire server to start");
        // Rows as a dead worker leaves them, 50 s old, on the state locks of the first jobs (ids count from 1).
        await rig.Db.Run(c => c.ExecuteAsync(
            "INSERT INTO hangfire.lock (resource, updatecount, acquired) SELECT 'hangfire:job:' || n || ':state-lock', 0, now() - interval '50 seconds' FROM generate_series(1, 10) n"));
        Ingest(rig, input);
        var id = (await rig.Calls.List(null, 1)).Single().Id;
        await WaitFor(async () => (await rig.Calls.Get(id))!.Status == CallStatus.Scored, TimeSpan.FromSeconds(60),
            "the call to be scored past the dead locks");
        // The call's last stage job may still hold its own (live) state lock for a moment after the call is scored,
        // which a loaded machine showed as one row: the dead rows must be gone and the live one released.
        await WaitFor(async () => await rig.Db.Run(c => c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM hangfire.lock WHERE resource IN (SELECT 'hangfire:job:' || id || ':state-lock' FROM hangfire.job)")) == 0,
            TimeSpan.FromSeconds(30), "no job state locks left");
        // The worker also registered the recurring jobs (retraining, recording retention).
        var recurring = await rig.Db.Run(c => c.QueryAsync<string>("SELECT value FROM hangfire.set WHERE key = 'recurring-jobs'"));
        Assert.Equal(["learning.review-priority-retrain", "recordings.retention"], recurring.Order());
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_20_seconds_while_jobs_run_delays_the_calls_but_loses_none()
    {
        var rig = Build("postgres", transcribeSeconds: 0.5);
        // A job lost in the outage is found by the stall sweep: 30 s here instead of the production 30 minutes.
        rig.Env["QA_STALL_TIMEOUT_S"] = "30";
        var input = Path.Combine(rig.Dir, "in");
        for (var i = 0; i < 30; i++) TestCalls.WriteCall(input, $"call{i:00}", 200 + i, dialogue: null);
        Ingest(rig, input);
        using var worker = QaProcess.Start(rig.Env, "worker");
        await WaitFor(async () => (await rig.Calls.CountByStatus()).GetValueOrDefault(CallStatus.Scored) >= 2,
            TimeSpan.FromSeconds(60), "the first calls to be scored");
        engines.Postgres.StopServer();
        output.WriteLine("PostgreSQL stopped");
        await Task.Delay(TimeSpan.FromSeconds(20));
        engines.Postgres.StartServer();
        output.WriteLine("PostgreSQL started again");
        try
        {
            await WaitFor(async () => (await rig.Calls.CountByStatus()).GetValueOrDefault(CallStatus.Scored) == 30,
                TimeSpan.FromSeconds(240), "all 30 calls scored after the outage");
        }
        catch (TimeoutException)
        {
            foreach (var call in await rig.Calls.List(null, 100))
                output.WriteLine($"call {call.Id}: {call.Status} queued={call.QueuedAt} {call.FailureReason} " +
                                 string.Join(" ", (await rig.Calls.Stages(call.Id)).Select(st => $"{st.Stage}={st.State}x{st.Attempts}")));
            output.WriteLine(worker.Stderr[^Math.Min(worker.Stderr.Length, 6000)..]);
            await WriteQueueState(rig);
            throw;
        }
        foreach (var call in await rig.Calls.List(null, 100))
            Assert.Equal(1, await rig.Results.ScorecardCount(call.Id));
        Assert.DoesNotContain(CallStatus.Failed, (await rig.Calls.CountByStatus()).Keys);
    }
}
