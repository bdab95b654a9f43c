using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using QaPipeline.Centre;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Pipeline.Tests.Recordings;

[Collection(EngineCollection.Name)]
public sealed class RecordingRetentionTests(EngineFixture engines)
{
    private sealed record Rig(Database Db, CallIngestor Ingestor, CallRepository Calls, ResultRepository Results, RecordingStore Store,
        AuditLog Audit, CentreSettings Settings, RecordingRetention Retention);

    private Rig Build(string engine)
    {
        var db = engines.NewDatabase(engine);
        var store = new RecordingStore(Path.Combine(TestCalls.TempDir("qa-retention"), "store"), 64 * 1024 * 1024, 0);
        var calls = new CallRepository(db);
        var results = new ResultRepository(db);
        var audit = new AuditLog(db);
        var settings = new CentreSettings(new SettingsRepository(db), new PipelineOptions(), audit, TimeProvider.System, NullLogger<CentreSettings>.Instance);
        return new Rig(db, new CallIngestor(store, calls, results, audit, TimeProvider.System), calls, results, store, audit, settings,
            new RecordingRetention(settings, calls, store, audit, TimeProvider.System, NullLogger<RecordingRetention>.Instance));
    }

    /// <summary>A stored call that took place <paramref name="daysAgo"/> days ago, scored unless told otherwise.</summary>
    private static async Task<(long Id, string Path)> Call(Rig rig, int seed, int daysAgo, bool scored = true)
    {
        var result = await rig.Ingestor.Ingest(new IngestRequest(new MemoryStream(TestCalls.Wav(seed)), $"call{seed}.wav",
            new CallMetadata(AgentId: "A01", StartedAt: DateTime.UtcNow.AddDays(-daysAgo)),
            System.Text.Encoding.UTF8.GetBytes(TestCalls.GoodDialogue), "test"));
        if (scored) await rig.Calls.MarkScored(result.CallId);
        return (result.CallId, rig.Store.FullPath(result.StorePath));
    }

    private static async Task OpenDispute(Rig rig, long callId)
    {
        var (scorecard, _) = await rig.Results.AddScorecard(callId, "zh-CN", "1", "hash", 90, 100, false, """{"items":[]}""", DateTime.UtcNow);
        await rig.Db.Run(c => c.ExecuteAsync(
            "INSERT INTO users (login, display_name, created_at) VALUES ('agent1', 'Agent One', @now)", new { now = DateTime.UtcNow }));
        await rig.Db.Run(c => c.ExecuteAsync("""
            INSERT INTO disputes (call_id, scorecard_id, raised_by, item_id, reason, status, created_at)
            SELECT @callId, @scorecard, id, 'greeting.opening', 'I did greet', 'open', @now FROM users WHERE login = 'agent1'
            """, new { callId, scorecard, now = DateTime.UtcNow }));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Recordings_past_the_setting_are_deleted_and_everything_else_is_kept(string engine)
    {
        var rig = Build(engine);
        await rig.Settings.Set(CentreSettings.RetentionDays, "90", "admin");
        var old = await Call(rig, 1, daysAgo: 120);
        var recent = await Call(rig, 2, daysAgo: 30);
        var disputed = await Call(rig, 3, daysAgo: 120);
        await OpenDispute(rig, disputed.Id);
        var unfinished = await Call(rig, 4, daysAgo: 120, scored: false);
        var transcript = await rig.Results.Transcript(old.Id);

        var outcome = await rig.Retention.Run();

        Assert.Equal((90, 1, 0), (outcome.Days, outcome.Deleted, outcome.AlreadyGone));
        Assert.False(File.Exists(old.Path));
        Assert.NotNull((await rig.Calls.Get(old.Id))!.RecordingDeletedAt);
        Assert.Equal(transcript!.Json, (await rig.Results.Transcript(old.Id))!.Json); // only the audio goes
        foreach (var kept in new[] { recent, disputed, unfinished })
        {
            Assert.True(File.Exists(kept.Path), $"call {kept.Id} should keep its recording");
            Assert.Null((await rig.Calls.Get(kept.Id))!.RecordingDeletedAt);
        }
        var audit = await rig.Audit.ForEntity("recordings", outcome.Cutoff.ToString("yyyy-MM-dd"));
        Assert.Equal("retention", Assert.Single(audit).Action);

        // Nothing left to do on a second run; the dispute once resolved releases its call on the next.
        Assert.Equal(0, (await rig.Retention.Run()).Deleted);
        await rig.Db.Run(c => c.ExecuteAsync("UPDATE disputes SET status = 'rejected' WHERE call_id = @id", new { id = disputed.Id }));
        Assert.Equal(1, (await rig.Retention.Run()).Deleted);
        Assert.False(File.Exists(disputed.Path));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Without_a_setting_a_year_is_kept_and_a_file_already_gone_is_only_marked(string engine)
    {
        var rig = Build(engine);
        var yearOld = await Call(rig, 5, daysAgo: 300);
        var older = await Call(rig, 6, daysAgo: 400);
        File.Delete(older.Path); // e.g. removed by hand, or a crash between the delete and the mark
        var outcome = await rig.Retention.Run();
        Assert.Equal((CentreSettings.DefaultRetentionDays, 0, 1), (outcome.Days, outcome.Deleted, outcome.AlreadyGone));
        Assert.True(File.Exists(yearOld.Path));
        Assert.NotNull((await rig.Calls.Get(older.Id))!.RecordingDeletedAt);
    }

    [Theory]
    [InlineData(null, CentreSettings.DefaultRetentionDays)]
    [InlineData("30", 30)]
    [InlineData("0", CentreSettings.DefaultRetentionDays)]
    [InlineData("-5", CentreSettings.DefaultRetentionDays)]
    [InlineData("ninety", CentreSettings.DefaultRetentionDays)]
    public void Only_a_positive_whole_number_of_days_is_taken_from_the_setting(string? stored, int days) =>
        Assert.Equal(days, CentreSettings.RetentionDaysOf(stored));
}
