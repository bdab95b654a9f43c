using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Stages;

/// <summary>The admin changes settings on the web node; a running worker-only node must follow without a restart.</summary>
[Collection(EngineCollection.Name)]
public sealed class CentreSettingsTests(EngineFixture engines)
{
    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task A_rubric_and_sampling_rate_chosen_on_the_web_node_reach_a_running_worker_node(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-settings");
        var options = TestCalls.Options(db, dir);
        // A rules folder without routing.yaml: the admin's active rubric scores every call.
        var rules = Directory.CreateDirectory(Path.Combine(dir, "rules")).FullName;
        foreach (var name in new[] { "zh-CN.yaml", "en-US.yaml" })
            File.Copy(Path.Combine(TestCalls.RepoRoot, "scoring-rules", name), Path.Combine(rules, name));
        options.RubricPath = Path.Combine(rules, "zh-CN.yaml");
        options.SettingsRefresh = TimeSpan.FromMilliseconds(200);
        using var worker = await TestCalls.StartNode(options);

        // The web node: its own options, the same database.
        var web = new CentreSettings(new SettingsRepository(db), new PipelineOptions(), new AuditLog(db), TimeProvider.System, NullLogger<CentreSettings>.Instance);
        var english = Path.Combine(rules, "en-US.yaml");
        await web.Set(CentreSettings.ActiveRubric, english, "admin");
        await web.Set(CentreSettings.SampleRate, "0.5", "admin");
        var rubric = worker.Services.GetRequiredService<IOptionsMonitor<RubricSelection>>();
        var review = worker.Services.GetRequiredService<IOptionsMonitor<ReviewFlagOptions>>();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (rubric.CurrentValue.ActivePath != english || review.CurrentValue.SampleRate != 0.5)
        {
            Assert.True(DateTime.UtcNow < until, $"the worker node still has {rubric.CurrentValue.ActivePath}, sample rate {review.CurrentValue.SampleRate}");
            await Task.Delay(100);
        }

        // A call arriving now is scored with the rubric the admin chose.
        var id = (await TestCalls.IngestFile(worker.Services, TestCalls.WriteCall(Path.Combine(dir, "in"), "call", 7))).CallId;
        Assert.Equal(options.RubricPath, Path.Combine(rules, "zh-CN.yaml")); // the start-up options stay as the operator set them
        await TestCalls.WaitForIdle(worker.Services.GetRequiredService<CallRepository>(), TimeSpan.FromSeconds(60));
        Assert.Equal("en-US", (await worker.Services.GetRequiredService<ResultRepository>().CurrentScorecard(id))!.RubricId);
    }
}
