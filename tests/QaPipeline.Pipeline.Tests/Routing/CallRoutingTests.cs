using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Tests.Routing;

/// <summary>Each call scored with its line's rubric, and what the metadata says about a recording reaching the
/// stages: real database (SQLite and PostgreSQL), real Hangfire workers, real rules files.</summary>
[Collection(EngineCollection.Name)]
public sealed class CallRoutingTests(EngineFixture engines)
{
    private const string EnglishDialogue = """
        Agent: Good morning, thank you for calling, my name is Lily, how may I help you?
        Customer: I would like to check my order please.
        Agent: Sure, let me check that for you. It arrives tomorrow. Is there anything else I can help you with?
        Customer: No, thank you.
        Agent: Thank you for calling, have a nice day, goodbye.
        """;

    /// <summary>A rules folder of its own: the shipped rubrics, two more ids made from zh-CN (so a team rule and a
    /// queue rule are told apart by the rubric they choose), and a routing table using every field.</summary>
    private static string RulesFolder(string dir)
    {
        var rules = Directory.CreateDirectory(Path.Combine(dir, "rules")).FullName;
        var shipped = Path.Combine(TestCalls.RepoRoot, "scoring-rules");
        foreach (var name in new[] { "zh-CN.yaml", "en-US.yaml", "outbound-zh-CN.yaml" })
            File.Copy(Path.Combine(shipped, name), Path.Combine(rules, name));
        var zh = File.ReadAllText(Path.Combine(shipped, "zh-CN.yaml"));
        File.WriteAllText(Path.Combine(rules, "vip-zh-CN.yaml"), zh.Replace("\nid: zh-CN\n", "\nid: vip-zh-CN\n"));
        File.WriteAllText(Path.Combine(rules, "complaints-zh-CN.yaml"), zh.Replace("\nid: zh-CN\n", "\nid: complaints-zh-CN\n"));
        File.WriteAllText(Path.Combine(rules, "routing.yaml"), """
            rules:
              - name: outbound sales
                when: { direction: outbound }
                rubric: outbound-zh-CN
              - name: VIP team
                when: { team: [VIP, "金卡*"] }
                rubric: vip-zh-CN
              - name: complaints line
                when: { queue: complaints }
                rubric: complaints-zh-CN
              - name: English hotline
                when: { language: en }
                rubric: en-US
            default: zh-CN
            """);
        return rules;
    }

    private static string Call(string folder, string name, int seed, string dialogue, string metadata)
    {
        var wav = TestCalls.WriteCall(folder, name, seed, dialogue, agent: null);
        File.WriteAllText(Path.Combine(folder, name + ".json"), metadata, Encoding.UTF8);
        return wav;
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task Each_call_is_scored_with_the_rubric_of_the_first_matching_rule_and_rescoring_re_routes(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-route");
        var options = TestCalls.Options(db, dir);
        var rules = RulesFolder(dir);
        options.RubricPath = Path.Combine(rules, "zh-CN.yaml");
        var input = Path.Combine(dir, "in");
        var wavs = new Dictionary<string, string>
        {
            // direction: the first rule, although the team would match the second one too
            ["outbound"] = Call(input, "outbound", 1, TestCalls.GoodDialogue, """{"team": "VIP", "direction": "outbound"}"""),
            ["team"] = Call(input, "team", 2, TestCalls.GoodDialogue, """{"team": "金卡一组", "queue": "complaints", "direction": "inbound"}"""),
            ["queue"] = Call(input, "queue", 3, TestCalls.GoodDialogue, """{"team": "T1", "queue": "complaints"}"""),
            // language found from the imported transcript's text (no language in the metadata)
            ["english"] = Call(input, "english", 4, EnglishDialogue, """{"team": "T1", "queue": "international"}"""),
            // language given in the metadata wins over the transcript
            ["given"] = Call(input, "given", 5, TestCalls.GoodDialogue, """{"team": "T1", "queue": "orders", "language": "en"}"""),
            ["default"] = Call(input, "default", 6, TestCalls.GoodDialogue, """{"team": "T1", "queue": "orders", "direction": "inbound"}"""),
            // a rubric named in the metadata overrides routing
            ["override"] = Call(input, "override", 7, TestCalls.GoodDialogue, """{"team": "T1", "direction": "outbound", "rubric": "en-US"}"""),
        };
        using var node = await TestCalls.StartNode(options);
        var ids = new Dictionary<string, long>();
        foreach (var (key, wav) in wavs) ids[key] = (await TestCalls.IngestFile(node.Services, wav)).CallId;
        var calls = node.Services.GetRequiredService<CallRepository>();
        var counts = await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(90));
        Assert.Equal(wavs.Count, counts.GetValueOrDefault(CallStatus.Scored));

        var results = node.Services.GetRequiredService<ResultRepository>();
        async Task<(string, string?)> Routed(string key)
        {
            var card = (await results.CurrentScorecard(ids[key]))!;
            return (card.RubricId, card.RoutingRule);
        }
        Assert.Equal(("outbound-zh-CN", "outbound sales"), await Routed("outbound"));
        Assert.Equal(("vip-zh-CN", "VIP team"), await Routed("team"));
        Assert.Equal(("complaints-zh-CN", "complaints line"), await Routed("queue"));
        Assert.Equal(("en-US", "English hotline"), await Routed("english"));
        Assert.Equal(("en-US", "English hotline"), await Routed("given"));
        Assert.Equal(("zh-CN", "default"), await Routed("default"));
        Assert.Equal(("en-US", "metadata"), await Routed("override"));
        var english = (await calls.Get(ids["english"]))!;
        Assert.Equal(("en", LanguageSource.Transcript), (english.Language, english.LanguageSource));
        var given = (await calls.Get(ids["given"]))!;
        Assert.Equal(("en", LanguageSource.Metadata), (given.Language, given.LanguageSource));
        Assert.Equal(("zh", LanguageSource.Transcript), ((await calls.Get(ids["default"]))!.Language, (await calls.Get(ids["default"]))!.LanguageSource));
        Assert.Equal(100, (await results.CurrentScorecard(ids["english"]))!.Score);

        // The centre moves its complaints line to the VIP sheet and drops the team rule: re-scoring re-routes
        // every call, keeps the earlier scorecards (history), and a second run changes nothing.
        var routing = Path.Combine(rules, "routing.yaml");
        File.WriteAllText(routing, File.ReadAllText(routing)
            .Replace("  - name: VIP team\n    when: { team: [VIP, \"金卡*\"] }\n    rubric: vip-zh-CN\n", "")
            .Replace("rubric: complaints-zh-CN", "rubric: vip-zh-CN"));
        var stages = node.Services.GetRequiredService<CallStages>();
        var created = 0;
        foreach (var id in ids.Values)
            if ((await stages.RouteAndScore((await calls.Get(id))!, CancellationToken.None)).Created) created++;
        Assert.Equal(1, created); // the team call keeps its scorecard (same rubric text), now chosen by another rule
        Assert.Equal(("vip-zh-CN", "complaints line"), await Routed("team"));
        Assert.Equal(("vip-zh-CN", "complaints line"), await Routed("queue"));
        Assert.Equal(("outbound-zh-CN", "outbound sales"), await Routed("outbound"));
        Assert.Equal(2, await results.ScorecardCount(ids["queue"]));
        Assert.Equal(1, await results.ScorecardCount(ids["team"]));
        foreach (var id in ids.Values)
            Assert.False((await stages.RouteAndScore((await calls.Get(id))!, CancellationToken.None)).Created);
        await node.StopAsync();
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task A_broken_routing_file_parks_the_call_with_its_file_and_line(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-route-bad");
        var options = TestCalls.Options(db, dir);
        var rules = RulesFolder(dir);
        options.RubricPath = Path.Combine(rules, "zh-CN.yaml");
        File.WriteAllText(Path.Combine(rules, "routing.yaml"), "rules:\n  - name: x\n    when: { queue: orders }\n    rubric: zh-TW\ndefault: zh-CN\n");
        using var node = await TestCalls.StartNode(options);
        var id = (await TestCalls.IngestFile(node.Services, TestCalls.WriteCall(Path.Combine(dir, "in"), "call", 1))).CallId;
        var calls = node.Services.GetRequiredService<CallRepository>();
        await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
        var call = (await calls.Get(id))!;
        Assert.Equal(CallStatus.Failed, call.Status);
        Assert.StartsWith($"score: call {id} cannot be routed: {Path.Combine(rules, "routing.yaml")}:4: rules[0].rubric: unknown rubric 'zh-TW'", call.FailureReason);
        await node.StopAsync();
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task Unknown_language_channel_or_rubric_in_the_metadata_rejects_the_call_and_stores_nothing(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-route-meta");
        var options = TestCalls.Options(db, dir);
        using var node = await TestCalls.StartNode(options);
        var input = Path.Combine(dir, "in");
        var cases = new (string Metadata, string Error)[]
        {
            ("""{"language": "fr"}""", "language must be zh or en (got 'fr')"),
            ("""{"agent_channel": "centre"}""", "agent_channel must be left, right or mono (got 'centre')"),
            ("""{"rubric": "zh-TW"}""", "rubric 'zh-TW' is not a rubric of"),
        };
        var n = 10;
        foreach (var (metadata, error) in cases)
        {
            var wav = Call(input, $"bad{n}", n++, TestCalls.GoodDialogue, metadata);
            var e = await Assert.ThrowsAnyAsync<Exception>(() => TestCalls.IngestFile(node.Services, wav));
            Assert.Contains(error, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.Empty(await node.Services.GetRequiredService<CallRepository>().List(null, 10));
        Assert.False(Directory.Exists(options.StorePath) && Directory.EnumerateFiles(options.StorePath, "*", SearchOption.AllDirectories).Any());
        await node.StopAsync();
    }
}
