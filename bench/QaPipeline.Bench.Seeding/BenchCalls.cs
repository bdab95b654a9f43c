using Dapper;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.TestSupport;

namespace QaPipeline.Bench.Seeding;

/// <summary>
/// Fills the database with <c>count</c> more scored calls for the web benchmark, set-based in SQL (a 100,000-call
/// insert through the repositories would time the insert, not the pages): each new call copies the recording
/// reference, transcript, scorecard, scorecard items and call reasons of one of the seeded demo calls, is spread over 500 agents
/// in 25 teams (一组 and 二组 among them) and 90 days, and a quarter of them keep their template's open review flags.
/// </summary>
public static class BenchCalls
{
    /// <summary>The benches' centre: the demo seed plus <paramref name="count"/> scored calls, in a SQLite file under
    /// <paramref name="dir"/> or a database of a private PostgreSQL cluster (handed to <paramref name="started"/> at
    /// once, so the caller disposes it even when seeding fails).</summary>
    public static async Task<PipelineOptions> SeedCentre(DatabaseEngine engine, string dir, string pgDatabase, int count,
        Action<LocalPostgres> started)
    {
        var options = new PipelineOptions
        {
            Engine = engine, StorePath = Path.Combine(dir, "store"), AnalyzeAudio = false,
            RubricPath = Path.GetFullPath("scoring-rules/zh-CN.yaml"),
        };
        if (engine == DatabaseEngine.Postgres)
        {
            var pg = LocalPostgres.Start();
            started(pg);
            options.ConnectionString = pg.CreateDatabase(pgDatabase);
        }
        else options.ConnectionString = Path.Combine(dir, "qa.db");
        await DemoSeed.Run(options, Path.GetFullPath("samples"), copies: 1);
        await Add(new Database(options.Engine, options.ConnectionString), count);
        return options;
    }

    public static async Task Add(Database db, int count, CancellationToken ct = default)
    {
        var pg = db.Engine == DatabaseEngine.Postgres;
        if (db.Engine == DatabaseEngine.SqlServer) throw new NotSupportedException("the web benchmark runs on SQLite and PostgreSQL");
        var numbers = pg ? "SELECT n FROM generate_series(1, @count) AS n"
                         : "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @count) SELECT n FROM seq";
        var startedAt = pg ? "TIMESTAMPTZ '2026-01-01 00:00:00+00' + make_interval(days => n % 90, secs => n % 36000)"
                           : "datetime('2026-01-01', '+' || (n % 90) || ' days', '+' || (n % 36000) || ' seconds')";
        var now = pg ? "now()" : "datetime('now')";
        var yes = pg ? "TRUE" : "1";
        var team = "CASE n % 500 % 25 WHEN 0 THEN '一组' WHEN 1 THEN '二组' ELSE 'team-' || (n % 500 % 25) END";
        await db.Run(async c =>
        {
            await c.ExecuteAsync($"""
                CREATE TEMP TABLE tpl AS
                SELECT ROW_NUMBER() OVER (ORDER BY s.id) - 1 AS k, s.id AS scorecard_id, s.call_id, c.store_path
                FROM scorecards s JOIN calls c ON c.id = s.call_id WHERE s.is_current = {yes} AND c.content_hash NOT LIKE 'bench-%';
                """);
            var templates = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tpl");
            if (templates == 0) throw new InvalidOperationException("seed the demo calls first (they are the templates)");
            var first = await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM calls") + 1;
            await c.ExecuteAsync($"""
                INSERT INTO calls (content_hash, store_path, original_name, size_bytes, external_call_id, agent_id, team, queue, direction,
                                   started_at, customer_number, status, ingested_at)
                SELECT 'bench-' || n, (SELECT store_path FROM tpl WHERE k = n % {templates}), 'bench.wav', 1000, 'BENCH-' || n,
                       'AG' || (n % 500), {team}, CASE n % 3 WHEN 0 THEN 'billing' WHEN 1 THEN 'delivery' ELSE 'refund' END, 'inbound',
                       {startedAt}, NULL, 'scored', {now}
                FROM ({numbers}) AS numbers
                """, new { count }, commandTimeout: 600);
            var map = $"FROM calls b JOIN tpl t ON t.k = (b.id - {first}) % {templates} WHERE b.id >= {first}";
            await c.ExecuteAsync($"""
                INSERT INTO transcripts (call_id, source, language, min_confidence, json, created_at)
                SELECT b.id, tr.source, tr.language, tr.min_confidence, tr.json, b.ingested_at {map.Replace("WHERE", "JOIN transcripts tr ON tr.call_id = t.call_id WHERE")}
                """, commandTimeout: 600);
            await c.ExecuteAsync($"""
                INSERT INTO scorecards (call_id, rubric_id, rubric_version, rubric_hash, score, max_score, fatal, is_current, json, created_at)
                SELECT b.id, s.rubric_id, s.rubric_version, s.rubric_hash, s.score, s.max_score, s.fatal, {yes}, s.json, b.ingested_at
                {map.Replace("WHERE", "JOIN scorecards s ON s.id = t.scorecard_id WHERE")}
                """, commandTimeout: 600);
            await c.ExecuteAsync($"""
                INSERT INTO scorecard_items (scorecard_id, call_id, item_id, verdict, deduction)
                SELECT s.id, b.id, ti.item_id, ti.verdict, ti.deduction
                {map.Replace("WHERE", "JOIN scorecards s ON s.call_id = b.id AND s.is_current = " + yes + " JOIN scorecard_items ti ON ti.scorecard_id = t.scorecard_id WHERE")}
                """, commandTimeout: 600);
            await c.ExecuteAsync($"""
                INSERT INTO scorecard_reasons (scorecard_id, call_id, reason_id, reason_name)
                SELECT s.id, b.id, tr.reason_id, tr.reason_name
                {map.Replace("WHERE", "JOIN scorecards s ON s.call_id = b.id AND s.is_current = " + yes + " JOIN scorecard_reasons tr ON tr.scorecard_id = t.scorecard_id WHERE")}
                """, commandTimeout: 600);
            await c.ExecuteAsync($"""
                INSERT INTO review_flags (call_id, scorecard_id, reason, detail, status, created_at, scorecard_current)
                SELECT b.id, s.id, f.reason, f.detail, 'open', b.started_at, {yes}
                {map.Replace("WHERE", "JOIN scorecards s ON s.call_id = b.id AND s.is_current = " + yes + " JOIN review_flags f ON f.scorecard_id = t.scorecard_id WHERE (b.id - " + first + ") % 4 = 0 AND")}
                """, commandTimeout: 600);
            await c.ExecuteAsync("ANALYZE;", commandTimeout: 600); // fresh planner statistics, as a DBA would after a bulk load
            return 0;
        }, ct);
    }

    /// <summary>
    /// The longest texts the input limits allow, where pages show them: <paramref name="disputes"/> open disputes with
    /// 2,000-character Chinese reasons and as many 2,000-character comments, on team 一组's bench calls (the monitors'
    /// queue lists open disputes; the call page shows comments). A page that grows with these is measured growing.
    /// </summary>
    public static async Task AddLongTexts(Database db, int disputes, CancellationToken ct = default)
    {
        var text = string.Concat(Enumerable.Repeat("我认为这一项的判定不正确，因为我在通话开头已经按规范问候了客户并核实了身份。", 80))[..QaPipeline.Web.Reviews.InputLimits.FreeText];
        await db.Run(async c =>
        {
            var author = await c.ExecuteScalarAsync<long>("SELECT MIN(id) FROM users");
            var calls = (await c.QueryAsync<(long CallId, long ScorecardId)>($"""
                SELECT c.id, s.id FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
                WHERE c.team = '一组' AND c.content_hash LIKE 'bench-%' ORDER BY c.id {(db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @disputes")}
                """, new { yes = true, disputes })).AsList();
            var now = DateTime.UtcNow;
            await c.ExecuteAsync("""
                INSERT INTO disputes (call_id, scorecard_id, raised_by, item_id, reason, status, created_at)
                VALUES (@CallId, @ScorecardId, @author, 'greeting.opening', @text, 'open', @now)
                """, calls.Select(x => new { x.CallId, x.ScorecardId, author, text, now }));
            await c.ExecuteAsync("INSERT INTO comments (call_id, author_id, at_seconds, body, created_at) VALUES (@CallId, @author, 1.5, @text, @now)",
                calls.Select(x => new { x.CallId, author, text, now }));
            return 0;
        }, ct);
    }
}
