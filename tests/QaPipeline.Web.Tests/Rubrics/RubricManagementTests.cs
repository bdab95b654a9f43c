using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Ingest;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Web.Tests.Rubrics;

/// <summary>
/// Rubric management as a QA lead does it over HTTP (no browser): a wrong line is rejected with the loader's error and
/// line, the impact preview's flip counts equal a re-score computed here with the scoring core, publishing records the
/// version with its note and the next ingested call is scored with it. The active rubric is put back afterwards.
/// </summary>
[Collection("web")]
public sealed class RubricManagementTests(WebApp app)
{
    private static string Token(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    private static async Task<string> Post(HttpClient client, string handler, string token, Dictionary<string, string> form)
    {
        form["__RequestVerificationToken"] = token;
        var response = await client.PostAsync($"/admin/rubrics?handler={handler}", new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{handler}: {(int)response.StatusCode}");
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_changed_rubric_is_checked_previewed_against_a_direct_rescore_and_published_for_the_next_call()
    {
        var original = app.Options.RubricPath;
        var admin = await app.Client("admin");
        var page = await admin.GetStringAsync("/admin/rubrics");
        var token = Token(page);
        var active = await File.ReadAllTextAsync(original);

        // A wrong line: an unknown field in the first item, reported with its line.
        var lines = active.Split('\n').ToList();
        var itemLine = lines.FindIndex(l => l.StartsWith("  - id: greeting.opening", StringComparison.Ordinal));
        lines.Insert(itemLine + 1, "    weight: 5");
        var checkedPage = await Post(admin, "Check", token, new() { ["Yaml"] = string.Join('\n', lines) });
        Assert.Matches($"id=\"rubric-error\" data-line=\"{itemLine + 2}\">candidate.yaml:{itemLine + 2}: items\\[0\\]: unknown field 'weight'(?:\\(| \\()", checkedPage);

        // The candidate: the opening greeting accepts only 早上好, new version.
        var candidate = Regex.Replace(active, "(?m)^version:.*$", "version: \"2026.12.1\"");
        var start = candidate.IndexOf("  - id: greeting.opening", StringComparison.Ordinal);
        var phrases = candidate.IndexOf("phrases: [", start, StringComparison.Ordinal);
        candidate = candidate[..phrases] + "phrases: [早上好" + candidate[candidate.IndexOf(']', phrases)..];

        var expected = new Dictionary<(string, string), int>();
        var rubric = RubricParser.Parse(candidate, "candidate.yaml");
        var stored = await app.Db.Run(c => c.QueryAsync<(string Card, string Transcript, string? Facts)>("""
            SELECT s.json, t.json, a.json FROM scorecards s JOIN transcripts t ON t.call_id = s.call_id
            LEFT JOIN acoustic_facts a ON a.call_id = s.call_id WHERE s.is_current = 1
            """));
        foreach (var (cardJson, transcriptJson, factsJson) in stored)
        {
            var current = ScorecardJson.Parse(cardJson);
            var rescored = Scorer.Score(rubric, TranscriptFormat.Parse(transcriptJson), factsJson is null ? null : AcousticFactsJson.Parse(factsJson));
            foreach (var item in rescored.Items)
            {
                var before = current.Items.Single(i => i.Id == item.Id).Verdict.ToString().ToLowerInvariant();
                var after = item.Verdict.ToString().ToLowerInvariant();
                if (before != after) expected[(item.Id, $"{before}->{after}")] = expected.GetValueOrDefault((item.Id, $"{before}->{after}")) + 1;
            }
        }
        Assert.True(expected.GetValueOrDefault(("greeting.opening", "pass->fail")) > 0);

        var preview = await Post(admin, "Preview", token, new() { ["Yaml"] = candidate, ["From"] = "2000-01-01", ["To"] = "2100-01-01" });
        var shown = Regex.Matches(preview, "<tr data-item=\"([^\"]+)\" data-pair=\"([^\"]+)\">.*?<td class=\"count\">(\\d+)</td>")
            .ToDictionary(m => (m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value)), m => int.Parse(m.Groups[3].Value));
        Assert.Equal(expected.OrderBy(e => e.Key), shown.OrderBy(e => e.Key));
        Assert.Equal(1, await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT rubric_version) FROM scorecards"))); // nothing saved

        try
        {
            // Publishing needs the confirmation and a note.
            var unconfirmed = await Post(admin, "Publish", token, new() { ["Yaml"] = candidate, ["Note"] = "greeting: 早上好 only" });
            Assert.Contains("id=\"rubric-refused\"", unconfirmed);
            await Post(admin, "Publish", token, new() { ["Yaml"] = candidate, ["Note"] = "greeting: 早上好 only", ["Confirm"] = "true" });
            var history = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/rubrics"));
            Assert.Contains("<td>2026.12.1</td><td>greeting: 早上好 only</td><td>admin</td>", history);
            Assert.EndsWith("zh-CN-2026.12.1.yaml", app.Options.RubricPath);

            // The next ingested call is scored with the published version.
            var services = app.Services;
            var wav = Wav(20261201);
            // Inside the seeded period, so the shared centre's dashboard window (up to the latest call) stays where it was.
            var startedAt = await app.Db.Run(c => c.ExecuteScalarAsync<DateTime>("SELECT MIN(started_at) FROM calls"));
            var ingested = await services.GetRequiredService<CallIngestor>().Ingest(new IngestRequest(new MemoryStream(wav), "next.wav",
                new CallMetadata("NEXT-1", "A01", "一组", "orders", "inbound", startedAt, null),
                Encoding.UTF8.GetBytes("坐席：您好，欢迎致电，请问有什么可以帮您？\n客户：我想查快递。\n"), "test"));
            await services.GetRequiredService<CallStages>().Score(ingested.CallId);
            var card = await services.GetRequiredService<ResultRepository>().CurrentScorecard(ingested.CallId);
            Assert.Equal("2026.12.1", card!.RubricVersion);
        }
        finally
        {
            await app.Services.GetRequiredService<WebSettings>().Set(WebSettings.ActiveRubric, original, "test");
            var published = Path.Combine(Path.GetDirectoryName(original)!, "zh-CN-2026.12.1.yaml");
            if (File.Exists(published)) File.Delete(published);
        }
    }

    /// <summary>A short 16 kHz mono PCM WAV whose bytes depend on the seed.</summary>
    private static byte[] Wav(int seed)
    {
        var random = new Random(seed);
        var data = new byte[16000 * 2];
        random.NextBytes(data);
        return QaPipeline.Audio.Wav.PcmWav.FromPcm16(16000, 1, data);
    }
}
