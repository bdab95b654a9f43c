using Dapper;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Storage;

/// <summary>
/// The queue page's totals per flag reason count by <c>review_flags.scorecard_current</c>, a copy of the flag's scorecard's
/// <c>is_current</c>. These pin that copy against the question it replaces — the unclosed flags joined to the calls and
/// their current scorecards — through every write that moves flags or scorecards: flagging, re-scoring (to a new
/// rubric and back to an earlier scorecard), claiming, releasing, finalising, an upheld dispute, and the migration
/// that fills the column in a database that already has flags.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class QueueTotalsTests(EngineFixture engines)
{
    private static readonly DateTime Now = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>What the totals mean, asked the slow way (the query the page ran before the column existed).</summary>
    private static async Task<List<(string Reason, long Calls, DateTime Oldest)>> Reference(Database db, CallScope scope)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(scope);
        var args = new DynamicParameters(scopeArgs);
        args.Add("yes", true);
        return (await db.Run(c => c.QueryAsync<(string, long, DateTime)>($"""
            SELECT f.reason, COUNT(DISTINCT f.call_id), MIN(f.created_at)
            FROM review_flags f
            JOIN calls c ON c.id = f.call_id
            JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes
            WHERE f.status <> 'closed' AND {predicate}
            GROUP BY f.reason
            """, args))).OrderBy(t => FlagReason.OrderOf(t.Item1)).ToList();
    }

    private static async Task<List<(string Reason, long Calls, DateTime Oldest)>> Totals(Database db, CallScope scope) =>
        (await new ReviewQueueRepository(db).FlagTotals(scope)).Select(t => (t.Reason, t.Calls, t.Oldest)).ToList();

    private static readonly CallScope TeamOne = new(false, ["一组"], null);
    private static readonly CallScope BothTeams = new(false, ["一组", "二组"], null);

    /// <summary>The totals equal the slow question for the whole centre and narrower scopes, and are what the step expects.</summary>
    private static async Task AssertTotals(Database db, string step, params (string Reason, long Calls)[] centre)
    {
        foreach (var scope in new[] { CallScope.All, TeamOne, BothTeams })
            Assert.True((await Reference(db, scope)).SequenceEqual(await Totals(db, scope)), $"{step}: totals differ from the joined count ({scope.Teams.Count} teams)");
        Assert.Equal(centre, (await Totals(db, CallScope.All)).Select(t => (t.Reason, t.Calls)).ToArray());
    }

    private static async Task<long> NewCall(Database db, int n, string team) =>
        (await new CallRepository(db).Insert(n.ToString("x64"), $"ab/{n}.wav", $"call{n}.wav", 1000, new CallMetadata(AgentId: $"A{n:00}", Team: team), Now)).Id;

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task Flag_totals_equal_the_joined_count_after_ingest_rescore_claim_release_finalise_and_dispute(string engine)
    {
        var db = engines.NewDatabase(engine);
        var results = new ResultRepository(db);
        var flags = new ReviewFlagRepository(db);
        var reviews = new ReviewRepository(db);
        var monitor = await new UserRepository(db).Create("m", "Monitor", "x", null, null, ["monitor"], Now);
        var agent = await new UserRepository(db).Create("a", "Agent", "x", "A02", null, ["agent"], Now);

        // Ingest: three scored, flagged calls in two teams and one in a third team.
        var (one, two, three, other) = (await NewCall(db, 1, "一组"), await NewCall(db, 2, "一组"), await NewCall(db, 3, "二组"), await NewCall(db, 4, "三组"));
        var oneCard = (await results.AddScorecard(one, "zh-CN", "1", "h1", 40, 100, true, "{}", Now)).Id;
        var twoCard = (await results.AddScorecard(two, "zh-CN", "1", "h1", 70, 100, false, "{}", Now)).Id;
        var threeCard = (await results.AddScorecard(three, "zh-CN", "1", "h1", 70, 100, false, "{}", Now)).Id;
        var otherCard = (await results.AddScorecard(other, "zh-CN", "1", "h1", 90, 100, false, "{}", Now)).Id;
        await flags.Add(one, oneCard, "fatal", null, Now.AddMinutes(1));
        await flags.Add(one, oneCard, "low_score", null, Now.AddMinutes(1));
        await flags.Add(two, twoCard, "low_score", null, Now.AddMinutes(2));
        await flags.Add(three, threeCard, "low_score", null, Now.AddMinutes(3));
        await flags.Add(other, otherCard, "random_sample", null, Now.AddMinutes(4));
        await AssertTotals(db, "ingest", ("fatal", 1), ("low_score", 3), ("random_sample", 1));

        // Re-scored with another rubric: the first scorecard's flags stay open on record but no longer count; the new one is flagged afresh.
        var oneRescored = (await results.AddScorecard(one, "zh-CN", "2", "h2", 85, 100, false, "{}", Now.AddHours(1))).Id;
        await AssertTotals(db, "rescore before flagging", ("low_score", 2), ("random_sample", 1));
        await flags.Add(one, oneRescored, "review_item", "greeting.opening", Now.AddHours(1));
        await AssertTotals(db, "rescore flagged", ("review_item", 1), ("low_score", 2), ("random_sample", 1));

        // Back to the first rubric (same file, same scorecard made current again): its flags count again, the second's do not.
        await results.AddScorecard(one, "zh-CN", "1", "h1", 40, 100, true, "{}", Now.AddHours(2));
        await AssertTotals(db, "rescore back", ("fatal", 1), ("low_score", 3), ("random_sample", 1));

        // A flag stored for a scorecard that is no longer current (a late flag job) is kept but does not count.
        await flags.Add(one, oneRescored, "low_asr_confidence", null, Now.AddHours(3));
        await AssertTotals(db, "late flag of an old scorecard", ("fatal", 1), ("low_score", 3), ("random_sample", 1));

        // Claimed (flags in review still wait for a verdict), released, claimed again and finalised (closed).
        await reviews.Claim(two, twoCard, monitor, Now.AddHours(4));
        await AssertTotals(db, "claim", ("fatal", 1), ("low_score", 3), ("random_sample", 1));
        var draft = await reviews.Draft(two);
        await reviews.Release(draft!.Id, two);
        await AssertTotals(db, "release", ("fatal", 1), ("low_score", 3), ("random_sample", 1));
        var claim = await reviews.Claim(two, twoCard, monitor, Now.AddHours(5));
        await reviews.Finalise(claim!.Value, two, [new ItemDecision("greeting.opening", "pass", "pass", 0)], 70, Now.AddHours(5));
        await AssertTotals(db, "finalise", ("fatal", 1), ("low_score", 2), ("random_sample", 1));

        // An agent's dispute upheld on an unreviewed call becomes its review; the flags are left as they were.
        var disputes = new DisputeRepository(db);
        var dispute = await disputes.Raise(three, threeCard, null, agent, "greeting.opening", "I greeted", "pass", Now.AddHours(6));
        await disputes.UpholdAsReview(dispute, three, threeCard, monitor, 75, [new ItemDecision("greeting.opening", "fail", "pass", 0)], Now.AddHours(6));
        await AssertTotals(db, "dispute upheld", ("fatal", 1), ("low_score", 2), ("random_sample", 1));

        // The oldest open flag of a reason ages the reason: finalising call one leaves call three's low-score flag as the oldest.
        var last = await reviews.Claim(one, oneCard, monitor, Now.AddHours(7));
        await reviews.Finalise(last!.Value, one, [], 40, Now.AddHours(7));
        await AssertTotals(db, "finalise first", ("low_score", 1), ("random_sample", 1));
        Assert.Equal(Now.AddMinutes(3), (await Totals(db, CallScope.All)).Single(t => t.Reason == "low_score").Oldest);
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task The_migration_marks_the_flags_of_current_scorecards_in_a_database_that_already_has_flags(string engine)
    {
        var db = engines.NewDatabase(engine);
        var results = new ResultRepository(db);
        var (one, two) = (await NewCall(db, 1, "一组"), await NewCall(db, 2, "二组"));
        var old = (await results.AddScorecard(one, "zh-CN", "1", "h1", 40, 100, true, "{}", Now)).Id;
        var current = (await results.AddScorecard(one, "zh-CN", "2", "h2", 50, 100, false, "{}", Now)).Id;
        var twoCard = (await results.AddScorecard(two, "zh-CN", "1", "h1", 50, 100, false, "{}", Now)).Id;
        // Flags as the code before the column stored them (the column takes its default), then the migration's script again.
        await db.Run(c => c.ExecuteAsync("""
            INSERT INTO review_flags (call_id, scorecard_id, reason, status, created_at)
            VALUES (@one, @old, 'fatal', 'open', @Now), (@one, @current, 'low_score', 'open', @Now), (@two, @twoCard, 'low_score', 'in_review', @Now)
            """, new { one, old, current, two, twoCard, Now }));
        var script = SchemaMigrations.Scripts(db.Engine).Single(s => s.Name.Contains("0008_"));
        var backfill = script.Contents.Split('\n').Single(l => l.StartsWith("UPDATE review_flags", StringComparison.Ordinal));
        await db.Run(c => c.ExecuteAsync(backfill));

        Assert.True((await Reference(db, CallScope.All)).SequenceEqual(await Totals(db, CallScope.All)));
        Assert.Equal([("low_score", 2L)], (await Totals(db, CallScope.All)).Select(t => (t.Reason, t.Calls)));
    }
}
