using System.Text;
using System.Text.Json;
using CsvHelper;
using Dapper;
using MiniExcelLibs;
using QaPipeline.Centre.Exports;
using QaPipeline.Storage;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests.Pipeline;

/// <summary><c>qa rescore --dry-run</c> and <c>qa export scorecards</c> as the contract fixes them, on calls scored by a real node.</summary>
[Collection(EngineCollection.Name)]
public sealed class ScorecardCommandsTests(EngineFixture engines)
{
    /// <summary>The default rubric with a new version whose opening greeting accepts only 早上好: courteous calls flip pass→fail.</summary>
    private static string CandidateRubric(string dir)
    {
        var yaml = File.ReadAllText(TestCalls.Rubric);
        yaml = System.Text.RegularExpressions.Regex.Replace(yaml, @"(?m)^version:.*$", "version: \"candidate-1\"");
        var start = yaml.IndexOf("  - id: greeting.opening", StringComparison.Ordinal);
        var phrases = yaml.IndexOf("phrases: [", start, StringComparison.Ordinal);
        var end = yaml.IndexOf(']', phrases);
        yaml = yaml[..phrases] + "phrases: [早上好" + yaml[end..];
        var path = Path.Combine(dir, "candidate.yaml");
        File.WriteAllText(path, yaml, Encoding.UTF8);
        return path;
    }

    private Dictionary<string, string> Env(Database db, string dir) => new()
    {
        ["QA_DB"] = db.Engine.ToString().ToLowerInvariant(), ["QA_DB_CONNECTION"] = db.ConnectionString,
        ["QA_STORE"] = Path.Combine(dir, "store"), ["QA_RUBRIC"] = TestCalls.Rubric, ["QA_STORE_MIN_FREE_BYTES"] = "0",
    };

    [Fact]
    public async Task Rescore_dry_run_prints_the_flips_a_direct_rescore_finds_and_saves_nothing()
    {
        var db = engines.NewDatabase("sqlite");
        var (dir, ids) = await TestCalls.ScoredCentre(db);
        var candidate = CandidateRubric(dir);
        var results = new ResultRepository(db);

        // What the candidate would change, computed here with the scoring core on the stored transcripts.
        var rubric = RubricParser.Parse(File.ReadAllBytes(candidate), candidate);
        var expected = new Dictionary<string, Dictionary<string, int>>();
        var deltas = new List<double>();
        foreach (var id in ids)
        {
            var current = ScorecardJson.Parse((await results.CurrentScorecard(id))!.Json);
            var rescored = Scorer.Score(rubric, TranscriptFormat.Parse((await results.Transcript(id))!.Json), null);
            deltas.Add(rescored.Score - current.Score);
            foreach (var item in rescored.Items)
            {
                var before = current.Items.Single(i => i.Id == item.Id).Verdict;
                if (before == item.Verdict) continue;
                var pair = $"{before.ToString().ToLowerInvariant()}->{item.Verdict.ToString().ToLowerInvariant()}";
                var pairs = expected.TryGetValue(item.Id, out var p) ? p : expected[item.Id] = [];
                pairs[pair] = pairs.GetValueOrDefault(pair) + 1;
            }
        }
        Assert.Equal(2, expected["greeting.opening"]["pass->fail"]); // the two courteous calls

        var (exit, stdout, stderr) = QaProcess.Run(Env(db, dir), "rescore", "--rubric", candidate, "--dry-run");
        Assert.True(exit == 0, stderr);
        var json = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal("zh-CN", json.GetProperty("rubric").GetString());
        Assert.Equal("candidate-1", json.GetProperty("rubric_version").GetString());
        Assert.Equal(3, json.GetProperty("calls").GetInt32());
        Assert.Equal(deltas.Count(d => d != 0), json.GetProperty("changed_calls").GetInt32());
        var printed = json.GetProperty("items_flipped").EnumerateObject().ToDictionary(
            i => i.Name, i => i.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        Assert.Equal(expected.OrderBy(e => e.Key).Select(e => (e.Key, string.Join(",", e.Value.OrderBy(p => p.Key)))),
            printed.OrderBy(e => e.Key).Select(e => (e.Key, string.Join(",", e.Value.OrderBy(p => p.Key)))));
        var delta = json.GetProperty("score_delta");
        Assert.Equal(deltas.Average(), delta.GetProperty("mean").GetDouble(), 9);
        Assert.Equal(deltas.Min(), delta.GetProperty("min").GetDouble(), 9);
        Assert.Equal(deltas.Max(), delta.GetProperty("max").GetDouble(), 9);

        // Nothing saved: one scorecard per call, still the default rubric's.
        foreach (var id in ids)
        {
            Assert.Equal(1, await results.ScorecardCount(id));
            Assert.NotEqual("candidate-1", (await results.CurrentScorecard(id))!.RubricVersion);
        }
    }

    [Fact]
    public async Task Export_scorecards_writes_the_contract_columns_in_csv_with_bom_and_xlsx_with_human_verdicts()
    {
        var db = engines.NewDatabase("sqlite");
        var (dir, ids) = await TestCalls.ScoredCentre(db);
        var results = new ResultRepository(db);
        // A monitor reviewed the first call and overturned greeting.opening to fail, final score 90.
        var card = (await results.CurrentScorecard(ids[0]))!;
        await db.Run(async c =>
        {
            var user = await c.ExecuteScalarAsync<long>(
                "INSERT INTO users (login, display_name, created_at) VALUES ('m1', '质检员一', '2026-03-01') RETURNING id");
            var review = await c.ExecuteScalarAsync<long>("""
                INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, final_score, started_at, submitted_at)
                VALUES (@call, @card, @user, 'submitted', 90, '2026-03-03', '2026-03-03') RETURNING id
                """, new { call = ids[0], card = card.Id, user });
            await c.ExecuteAsync("""
                INSERT INTO review_item_verdicts (review_id, item_id, machine_verdict, human_verdict, deduction)
                VALUES (@review, 'greeting.opening', 'pass', 'fail', 5)
                """, new { review });
        });
        var rubricItems = ScorecardJson.Parse(card.Json).Items.Select(i => i.Id).ToList();
        var env = Env(db, dir);

        var csvPath = Path.Combine(dir, "cards.csv");
        var (exit, _, stderr) = QaProcess.Run(env, "export", "scorecards", "--format", "csv", "--out", csvPath);
        Assert.True(exit == 0, stderr);
        var bytes = File.ReadAllBytes(csvPath);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Contains("\r\n", Encoding.UTF8.GetString(bytes));
        using (var reader = CsvReader.Create(new MemoryStream(bytes)))
        {
            Assert.Equal([.. ScorecardExport.FixedColumns, .. rubricItems], reader.Headers.ToArray());
            var rows = new List<string?[]>();
            while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
            Assert.Equal(ids.Select(i => i.ToString()), rows.Select(r => r[0]));
            var reviewed = rows[0];
            Assert.Equal(("C-11", "A01", "T1", "orders", "2026-03-02T01:00:00Z", "zh-CN"), (reviewed[1], reviewed[2], reviewed[3], reviewed[4], reviewed[5], reviewed[6]));
            Assert.Equal("90", reviewed[9]);
            Assert.Equal("fail", reviewed[ScorecardExport.FixedColumns.Length + rubricItems.IndexOf("greeting.opening")]);
            var rude = rows[1];
            Assert.Equal("true", rude[10]);
            Assert.Equal(rude[8], rude[9]); // not reviewed: the automatic score stands
            Assert.Equal("pass", rows[2][ScorecardExport.FixedColumns.Length + rubricItems.IndexOf("greeting.opening")]);
        }

        // Call reasons on request, as a last column.
        (exit, _, stderr) = QaProcess.Run(env, "export", "scorecards", "--format", "csv", "--out", csvPath, "--with-reasons");
        Assert.True(exit == 0, stderr);
        using (var reader = CsvReader.Create(File.OpenRead(csvPath)))
        {
            Assert.Equal("call_reasons", reader.Headers.ToArray()[^1]);
            var reasons = new List<string?>();
            while (reader.Read()) reasons.Add(reader.GetString(reader.FieldCount - 1));
            Assert.Equal(["logistics", "return;repair", "logistics"], reasons);
        }

        var xlsxPath = Path.Combine(dir, "cards.xlsx");
        (exit, _, stderr) = QaProcess.Run(env, "export", "scorecards", "--format", "xlsx", "--out", xlsxPath, "--from", "2026-03-02", "--to", "2026-03-02");
        Assert.True(exit == 0, stderr);
        var sheet = MiniExcel.Query(xlsxPath).Cast<IDictionary<string, object?>>().Select(r => r.Values.ToArray()).ToList();
        Assert.Equal([.. ScorecardExport.FixedColumns, .. rubricItems], sheet[0].Select(v => v?.ToString() ?? "").ToArray());
        Assert.Equal(4, sheet.Count);
        Assert.Equal("fail", sheet[1][ScorecardExport.FixedColumns.Length + rubricItems.IndexOf("greeting.opening")]?.ToString());
        Assert.Equal(90.0, Convert.ToDouble(sheet[1][9]));

        // A period with no calls still has its header; bad input is one line.
        (exit, _, stderr) = QaProcess.Run(env, "export", "scorecards", "--format", "csv", "--out", csvPath, "--from", "2027-01-01");
        Assert.True(exit == 0, stderr);
        Assert.Equal(string.Join(",", ScorecardExport.FixedColumns), File.ReadAllText(csvPath).Trim().TrimStart('\uFEFF'));
        var bad = QaProcess.Run(env, "export", "scorecards", "--format", "csv", "--out", csvPath, "--to", "soon");
        Assert.Equal((2, "qa: error: --to 'soon' is not a date (use e.g. 2026-03-01)"), (bad.Exit, bad.Stderr.Trim()));
    }
}
