using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using QaPipeline.Centre;
using QaPipeline.Centre.Review;
using QaPipeline.Learning.Model;
using QaPipeline.Learning.Ranking;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Review;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

using QaPipeline.TestSupport;
using QaPipeline.Pipeline.Flags;

namespace QaPipeline.Web.Tests.Reviews;

/// <summary>
/// The learning loop as the product runs it, on a real database: human reviews written to reviews /
/// review_item_verdicts over stored scorecards, the recurring training job, and the queue's most-likely-wrong order.
/// The hidden rule the reviewers follow: a verdict resting on words the ASR heard with confidence below 0.5 is
/// overturned (plus 3% reviewer slips). The queue's suspect calls carry one such verdict and were flagged last.
/// </summary>
public abstract class LearningLoopWiring(DatabaseEngine engine, LocalPostgres? postgres = null) : IDisposable
{
    private static readonly string[] Items = ["greeting.opening", "courtesy.empathy", "closing.farewell", "handling.verify"];
    private static readonly DateTime Start = new(2026, 10, 1, 8, 0, 0, DateTimeKind.Utc);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qa-learning-wiring-");
    private int _calls;

    private static readonly LearningOptions Learning = new() { MinimumReviews = 600, NewReviewsBeforeRetrain = 200, DailyCapacity = 20 };

    private (Database Db, PipelineOptions Options) NewDatabase()
    {
        string connection;
        if (engine == DatabaseEngine.Postgres)
        {
            connection = postgres!.CreateDatabase("qa_learning_" + Guid.NewGuid().ToString("N")[..8]);
        }
        else connection = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".db");
        var db = new Database(engine, connection);
        db.Migrate();
        var options = new PipelineOptions
        {
            Engine = engine, ConnectionString = connection, Learning = Learning,
            ReviewModelFolder = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N"), "models", "review-priority"),
        };
        return (db, options);
    }

    private static ReviewModelTraining Job(Database db, PipelineOptions options) =>
        new(new ReviewHistory(new ReviewHistoryRepository(db)), options, TimeProvider.System, new AuditLog(db), NullLogger<ReviewModelTraining>.Instance);

    private static ReviewQueue Queue(Database db, PipelineOptions options) =>
        new(new ReviewQueueRepository(db), new ReviewHistoryRepository(db), new DisputeRepository(db), new UserRepository(db),
            new ReviewPriority(options.ReviewModelFolder, options.Learning), new ReviewHistory(new ReviewHistoryRepository(db)));

    private static readonly Viewer Admin = new(1, "admin", "Admin", new HashSet<string> { Role.Admin }, null, []);

    private async Task<(long CallId, long ScorecardId)> AddScoredCall(Database db, string agent, double[] confidences, Random rng)
    {
        var n = Interlocked.Increment(ref _calls);
        var (callId, _) = await new CallRepository(db).Insert(n.ToString("x64"), $"x/{n}.wav", $"call{n}.wav", 1000, new CallMetadata(AgentId: agent, Team: "T1"), Start);
        var items = Items.Select((id, i) =>
        {
            var strength = 0.5 + 0.5 * rng.NextDouble();
            var verdict = strength >= 0.7 ? Verdict.Pass : Verdict.Fail;
            return new ItemVerdict(id, id.Split('.')[0], verdict, verdict == Verdict.Fail ? 5 : 0, false, "", [], null, strength, confidences[i]);
        }).ToList();
        var score = 100 - items.Sum(i => i.Deduction);
        var card = new Scorecard("zh-CN", "2026.2", score, 100, 80, false, items, []);
        var (scorecardId, _) = await new ResultRepository(db).AddScorecard(callId, "zh-CN", "2026.2", "h" + n, score, 100, false, ScorecardJson.Write(card), Start);
        return (callId, scorecardId);
    }

    /// <summary>Reviewed calls whose human verdicts follow the hidden rule; returns the number of labelled verdicts.</summary>
    private async Task<int> AddReviews(Database db, int calls, int seed, DateTime from)
    {
        var rng = new Random(seed);
        var reviewer = await db.Run(c => c.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE login = @login", new { login = "monitor" }))
            ?? await db.Run(async c =>
            {
                await c.ExecuteAsync("INSERT INTO users (login, display_name, created_at) VALUES (@login, @name, @at)", new { login = "monitor", name = "Monitor", at = Start });
                return await c.ExecuteScalarAsync<long>("SELECT id FROM users WHERE login = @login", new { login = "monitor" });
            });
        for (var i = 0; i < calls; i++)
        {
            var confidences = Items.Select(_ => 0.2 + 0.8 * rng.NextDouble()).ToArray();
            var (callId, scorecardId) = await AddScoredCall(db, $"A{rng.Next(8):00}", confidences, rng);
            var card = ScorecardJson.Parse(await db.Run(c => c.ExecuteScalarAsync<string>("SELECT json FROM scorecards WHERE id = @scorecardId", new { scorecardId })) ?? "");
            var submitted = from.AddMinutes(10 * i);
            await db.InTransaction(async (c, tx) =>
            {
                await c.ExecuteAsync("""
                    INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, final_score, started_at, submitted_at)
                    VALUES (@callId, @scorecardId, @reviewer, 'submitted', 90, @submitted, @submitted)
                    """, new { callId, scorecardId, reviewer, submitted }, tx);
                var reviewId = await c.ExecuteScalarAsync<long>("SELECT id FROM reviews WHERE call_id = @callId", new { callId }, tx);
                foreach (var item in card.Items)
                {
                    var machine = item.Verdict.ToString().ToLowerInvariant();
                    var overturned = item.Confidence < 0.5 ^ rng.NextDouble() < 0.03;
                    var human = overturned ? (machine == "pass" ? "fail" : "pass") : machine;
                    await c.ExecuteAsync("""
                        INSERT INTO review_item_verdicts (review_id, item_id, machine_verdict, human_verdict, deduction)
                        VALUES (@reviewId, @itemId, @machine, @human, 0)
                        """, new { reviewId, itemId = item.Id, machine, human }, tx);
                }
                return 0;
            });
        }
        return calls * Items.Length;
    }

    /// <summary>Flagged, unreviewed calls: 10 confident ones flagged first, then 10 suspects with one verdict at ASR confidence 0.3.</summary>
    private async Task<(HashSet<long> Confident, HashSet<long> Suspect)> AddQueuedCalls(Database db)
    {
        var rng = new Random(99);
        var (confident, suspect) = (new HashSet<long>(), new HashSet<long>());
        for (var i = 0; i < 20; i++)
        {
            var isSuspect = i >= 10;
            var confidences = Items.Select((_, k) => isSuspect && k == i % Items.Length ? 0.3 : 0.92 + 0.05 * rng.NextDouble()).ToArray();
            var (callId, scorecardId) = await AddScoredCall(db, $"A{i % 8:00}", confidences, rng);
            await new ReviewFlagRepository(db).Add(callId, scorecardId, "random_sample", "test", Start.AddMinutes(i));
            (isSuspect ? suspect : confident).Add(callId);
        }
        return (confident, suspect);
    }

    [Fact]
    public async Task Training_job_promotes_a_model_that_puts_likely_wrong_verdicts_first_and_a_second_run_changes_nothing()
    {
        var (db, options) = NewDatabase();
        var labelled = await AddReviews(db, 250, seed: 7, Start);
        var (confident, suspect) = await AddQueuedCalls(db);

        var first = await Job(db, options).Run();
        Assert.Equal(RetrainStatus.Promoted, first.Status);
        Assert.Equal("v0001", first.Current!.Version);
        Assert.True(first.Candidate!.Evaluation.Auc > 0.8, $"held-out AUC {first.Candidate.Evaluation.Auc}");
        Assert.Equal(labelled - (int)Math.Round(labelled * Learning.HeldOutShare), first.Candidate.TrainingReviews);
        Assert.True(File.Exists(Path.Combine(options.ReviewModelFolder, "v0001", "model.zip")));

        var again = await Job(db, options).Run();
        Assert.Equal(RetrainStatus.NotDue, again.Status);
        Assert.Equal("v0001", again.Current!.Version);
        Assert.Single(new ModelRegistry(options.ReviewModelFolder).Versions());

        var queue = Queue(db, options);
        var learned = await queue.Page(Admin, new QueueFilter(Order: QueueFilter.ByLikelyWrong));
        Assert.Equal(("learned_model", "v0001"), (learned.Ordering.Source, learned.Ordering.ModelVersion));
        Assert.StartsWith("learned model v0001", learned.Ordering.Reason);
        Assert.Equal(suspect, learned.Rows.Take(10).Select(r => r.CallId).ToHashSet());
        Assert.All(learned.Rows.Take(10), r => Assert.True(r.LikelyWrongPriority > learned.Rows[10].LikelyWrongPriority));

        // The default order stays available: flag time first, so the confident calls flagged earlier lead.
        var bySeverity = await queue.Page(Admin, new QueueFilter());
        Assert.Equal("flag_reason", bySeverity.Ordering.Source);
        Assert.Equal(confident, bySeverity.Rows.Take(10).Select(r => r.CallId).ToHashSet());
        Assert.All(bySeverity.Rows, r => Assert.Null(r.LikelyWrongItem));

        // The flag stage: a promoted model flags the suspect calls beyond the random sample. The model is learnt from
        // noisy reviews, so a confident call may cross the threshold now and then, but rarely.
        var modelFlag = new ModelDisagreementFlag(new ReviewPriority(options.ReviewModelFolder, options.Learning), new ResultRepository(db), new ReviewHistory(new ReviewHistoryRepository(db)));
        var (calls, results) = (new CallRepository(db), new ResultRepository(db));
        var flaggedByModel = new HashSet<long>();
        foreach (var callId in suspect.Concat(confident))
        {
            var card = (await results.CurrentScorecard(callId))!;
            if (await modelFlag.Decide((await calls.Get(callId))!, ScorecardJson.Parse(card.Json), await results.Transcript(callId), CancellationToken.None)
                is not { } flag) continue;
            Assert.Equal(FlagReason.ModelDisagreement, flag.Reason);
            Assert.Matches(@"^[a-z_.]+: predicted overturn [01]\.\d\d \(model v0001\)$", flag.Detail);
            await new ReviewFlagRepository(db).Add(callId, card.Id, flag.Reason, flag.Detail, DateTime.UtcNow);
            flaggedByModel.Add(callId);
        }
        Assert.Superset(suspect, flaggedByModel);
        Assert.True(flaggedByModel.Count(confident.Contains) <= 2, $"{flaggedByModel.Count(confident.Contains)} of 10 confident calls flagged");
        // Stored (the schema accepts the new reason) and worked before the random sample in the default order.
        var flagged = await queue.Page(Admin, new QueueFilter());
        Assert.Equal(flaggedByModel, flagged.Rows.Take(flaggedByModel.Count).Select(r => r.CallId).ToHashSet());
        Assert.All(flagged.Rows.Take(flaggedByModel.Count), r => Assert.Equal(["model_disagreement", "random_sample"], r.Reasons));
    }

    [Fact]
    public async Task Retraining_after_new_reviews_never_replaces_the_model_in_service_with_a_worse_one()
    {
        var (db, options) = NewDatabase();
        await AddReviews(db, 200, seed: 11, Start);
        Assert.Equal(RetrainStatus.Promoted, (await Job(db, options).Run()).Status);
        await AddReviews(db, 100, seed: 12, Start.AddDays(10));

        var second = await Job(db, options).Run();
        Assert.Contains(second.Status, new[] { RetrainStatus.Promoted, RetrainStatus.Kept });
        Assert.Equal("v0002", second.Candidate!.Version);
        Assert.Equal("v0001", second.Candidate.ChampionVersion);
        var (candidateAuc, championAuc) = (second.Candidate.Evaluation.Auc!.Value, second.Candidate.ChampionOnSameHeldOut!.Auc!.Value);
        if (second.Status == RetrainStatus.Kept)
            Assert.Equal(("v0001", true), (second.Current!.Version, candidateAuc <= championAuc));
        else
            Assert.Equal(("v0002", true), (second.Current!.Version, candidateAuc > championAuc));
        Assert.Equal(second.Current.Version, new ModelRegistry(options.ReviewModelFolder).Current!.Version);
    }

    [Fact]
    public async Task With_too_few_reviews_the_job_trains_nothing_and_the_queue_says_it_uses_the_rule_based_priority()
    {
        var (db, options) = NewDatabase();
        var labelled = await AddReviews(db, 10, seed: 3, Start);
        var (_, suspect) = await AddQueuedCalls(db);

        var outcome = await Job(db, options).Run();
        Assert.Equal(RetrainStatus.NotEnoughReviews, outcome.Status);
        Assert.Null(outcome.Current);
        Assert.StartsWith($"{labelled} labelled reviews, fewer than the 600", outcome.Reason);
        Assert.Empty(new ModelRegistry(options.ReviewModelFolder).Versions());
        var anyCall = suspect.First();
        Assert.Null(await new ModelDisagreementFlag(new ReviewPriority(options.ReviewModelFolder, options.Learning), new ResultRepository(db), new ReviewHistory(new ReviewHistoryRepository(db)))
            .Decide((await new CallRepository(db).Get(anyCall))!, ScorecardJson.Parse((await new ResultRepository(db).CurrentScorecard(anyCall))!.Json),
                await new ResultRepository(db).Transcript(anyCall), CancellationToken.None));

        var page = await Queue(db, options).Page(Admin, new QueueFilter(Order: QueueFilter.ByLikelyWrong));
        Assert.Equal("rule_based", page.Ordering.Source);
        Assert.Equal($"rule-based priority: {labelled} labelled reviews, fewer than the 600 a learned ranking needs", page.Ordering.Reason);
        // The fallback also rates verdicts on doubtful words as the shaky ones.
        Assert.Equal(suspect, page.Rows.Take(10).Select(r => r.CallId).ToHashSet());
    }

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }
}

public sealed class LearningLoopWiringOnSqlite() : LearningLoopWiring(DatabaseEngine.Sqlite);

/// <summary>One private PostgreSQL cluster for the class; each test gets its own database in it.</summary>
public sealed class PostgresCluster : IDisposable
{
    public LocalPostgres Server { get; } = LocalPostgres.Start();
    public void Dispose() => Server.Dispose();
}

public sealed class LearningLoopWiringOnPostgres(PostgresCluster cluster)
    : LearningLoopWiring(DatabaseEngine.Postgres, cluster.Server), IClassFixture<PostgresCluster>;
