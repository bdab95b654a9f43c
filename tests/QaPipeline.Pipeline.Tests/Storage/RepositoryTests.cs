using Dapper;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Storage;

[Collection(EngineCollection.Name)]
public sealed class RepositoryTests(EngineFixture engines)
{
    private static readonly DateTime Now = new(2026, 3, 2, 9, 30, 15, DateTimeKind.Utc);

    private static readonly string[] Tables =
    [
        "calls", "call_stages", "transcripts", "acoustic_facts", "scorecards", "review_flags", "teams", "users", "user_roles",
        "reviews", "review_item_verdicts", "disputes", "comments", "playlists", "playlist_items", "calibration_sessions",
        "calibration_ratings", "audit_log",
    ];

    private static string Hash(int n) => n.ToString("x64");

    private static Task<(long Id, bool Created)> InsertCall(CallRepository calls, int n, CallMetadata? meta = null) =>
        calls.Insert(Hash(n), $"ab/cd/{Hash(n)}.wav", $"call{n}.wav", 1000 + n, meta ?? new CallMetadata(AgentId: "A01"), Now);

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Migrations_create_every_table_and_running_them_again_changes_nothing(string engine)
    {
        var db = engines.NewDatabase(engine);
        db.Migrate();
        var sql = db.Engine == DatabaseEngine.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('public', 'dbo')";
        var tables = await db.Run(c => c.QueryAsync<string>(sql));
        Assert.Empty(Tables.Except(tables, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task A_claimed_call_with_no_stage_activity_since_the_cut_off_is_released_but_a_running_one_is_not(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var (stuck, _) = await InsertCall(calls, 21);
        var (running, _) = await InsertCall(calls, 22);
        var (recent, _) = await InsertCall(calls, 23);
        foreach (var id in new[] { stuck, running, recent })
        {
            Assert.True(await calls.ClaimForQueue(id, Now));
            await calls.MarkProcessing(id);
            await calls.StageStarted(id, Stage.Score, Now.AddMinutes(1));
        }
        await calls.StageFinished(stuck, Stage.Score, "succeeded", 5, null, Now.AddMinutes(2));
        await calls.StageFinished(recent, Stage.Score, "succeeded", 5, null, Now.AddMinutes(50));

        Assert.Equal(1, await calls.ReleaseStalled(Now.AddMinutes(40)));
        Assert.Equal([stuck], await calls.Unqueued(10));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Same_content_hash_is_one_call_even_when_inserted_concurrently(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => InsertCall(calls, 7))));
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Id).Distinct());
        var stored = await calls.Get(results[0].Id);
        Assert.Equal("call7.wav", stored!.OriginalName);
        Assert.Equal(CallStatus.Pending, stored.Status);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Metadata_and_timestamps_round_trip_in_utc(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var started = new DateTime(2026, 3, 1, 23, 59, 58, DateTimeKind.Utc);
        var (id, _) = await InsertCall(calls, 1, new CallMetadata("C-1", "A07", "Team 3", "billing", "inbound", started, "13800001111"));
        var call = await calls.Get(id);
        Assert.Equal(("C-1", "A07", "Team 3", "billing", "inbound", "13800001111"),
            (call!.ExternalCallId, call.AgentId, call.Team, call.Queue, call.Direction, call.CustomerNumber));
        Assert.Equal(started, call.StartedAt);
        Assert.Equal(DateTimeKind.Utc, call.StartedAt!.Value.Kind);
        Assert.Equal(Now, call.IngestedAt);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Restarted_stage_counts_attempts_and_keeps_the_last_outcome_and_timing(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var (id, _) = await InsertCall(calls, 1);
        await calls.StageStarted(id, Stage.Transcribe, Now);
        await calls.StageStarted(id, Stage.Transcribe, Now.AddSeconds(5));
        await calls.StageFinished(id, Stage.Transcribe, "succeeded", 1234, null, Now.AddSeconds(6));
        var stage = Assert.Single(await calls.Stages(id));
        Assert.Equal(("transcribe", "succeeded", 2, 1234L), (stage.Stage, stage.State, stage.Attempts, stage.DurationMs!.Value));
        Assert.Equal(Now.AddSeconds(5), stage.StartedAt);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Parked_call_keeps_its_reason_until_retried(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var (id, _) = await InsertCall(calls, 1);
        Assert.True(await calls.ClaimForQueue(id, Now));
        await calls.StageStarted(id, Stage.Analyse, Now);
        await calls.StageFinished(id, Stage.Analyse, "failed", 10, "ffmpeg not found", Now);
        await calls.Park(id, Stage.Analyse, "ffmpeg not found");
        var parked = await calls.Get(id);
        Assert.Equal((CallStatus.Failed, "analyse: ffmpeg not found"), (parked!.Status, parked.FailureReason));
        Assert.Empty(await calls.Unqueued(10));

        Assert.True(await calls.Retry(id));
        Assert.False(await calls.Retry(id));
        var retried = await calls.Get(id);
        Assert.Equal((CallStatus.Pending, null, null), (retried!.Status, retried.FailureReason, retried.QueuedAt));
        Assert.Equal("pending", (await calls.Stages(id)).Single().State);
        Assert.Equal([id], await calls.Unqueued(10));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Only_one_node_claims_a_call_for_the_queue(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var (id, _) = await InsertCall(calls, 1);
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => calls.ClaimForQueue(id, Now))));
        Assert.Single(claims, c => c);
        Assert.Equal(1, await calls.ReleaseQueueClaims());
        Assert.Equal([id], await calls.Unqueued(10));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Rescoring_keeps_history_and_the_same_rubric_never_scores_twice(string engine)
    {
        var db = engines.NewDatabase(engine);
        var (id, _) = await InsertCall(new CallRepository(db), 1);
        var results = new ResultRepository(db);
        var first = await results.AddScorecard(id, "zh-CN", "1", "hash-v1", 80, 100, false, "{}", Now);
        var again = await results.AddScorecard(id, "zh-CN", "1", "hash-v1", 80, 100, false, "{}", Now);
        var second = await results.AddScorecard(id, "zh-CN", "2", "hash-v2", 60, 100, true, "{\"v\":2}", Now.AddDays(1));
        Assert.True(first.Created);
        Assert.Equal((first.Id, false), again);
        Assert.True(second.Created);
        var history = await results.ScorecardHistory(id);
        Assert.Equal(["1", "2"], history.Select(h => h.RubricVersion));
        Assert.Equal([false, true], history.Select(h => h.IsCurrent));
        var current = await results.CurrentScorecard(id);
        Assert.Equal((second.Id, 60.0, true), (current!.Id, current.Score, current.Fatal));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Transcript_and_flags_are_stored_once(string engine)
    {
        var db = engines.NewDatabase(engine);
        var (id, _) = await InsertCall(new CallRepository(db), 1);
        var results = new ResultRepository(db);
        await results.SaveTranscript(id, "imported", "zh", 0.4, "{\"segments\":[]}", Now);
        await results.SaveTranscript(id, "whisper", "zh", 0.9, "{\"other\":1}", Now);
        var t = await results.Transcript(id);
        Assert.Equal(("imported", 0.4), (t!.Source, t.MinConfidence));
        var card = await results.AddScorecard(id, "zh-CN", "1", "h", 90, 100, false, "{}", Now);
        var flags = new ReviewFlagRepository(db);
        await flags.Add(id, card.Id, "fatal", "x", Now);
        await flags.Add(id, card.Id, "fatal", "x", Now);
        await flags.Add(id, card.Id, "low_score", "y", Now);
        Assert.Equal(["fatal", "low_score"], (await flags.ForCall(id)).Select(f => f.Reason));
        Assert.Equal(1, await flags.FlaggedCallsOfAgent("A01", Now.AddDays(-1), Now.AddDays(1), exceptCallId: 999));
        Assert.Equal(0, await flags.FlaggedCallsOfAgent("A01", Now.AddDays(-1), Now.AddDays(1), exceptCallId: id));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task A_late_duplicate_job_cannot_move_a_scored_or_parked_call_back_to_processing(string engine)
    {
        var calls = new CallRepository(engines.NewDatabase(engine));
        var (scored, _) = await InsertCall(calls, 1);
        await calls.MarkProcessing(scored);
        await calls.MarkScored(scored);
        await calls.MarkProcessing(scored);
        Assert.Equal(CallStatus.Scored, (await calls.Get(scored))!.Status);
        var (parked, _) = await InsertCall(calls, 2);
        await calls.Park(parked, Stage.Score, "rubric missing");
        await calls.MarkProcessing(parked);
        await calls.MarkScored(parked);
        Assert.Equal(CallStatus.Failed, (await calls.Get(parked))!.Status);
    }
}
