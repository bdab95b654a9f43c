using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Hosting;

/// <summary><c>/metrics</c> over real HTTP on a node that has just processed a call (real audio stage, real workers).</summary>
[Collection(EngineCollection.Name)]
public sealed partial class MetricsEndpointTests(EngineFixture engines)
{
    [Fact]
    public async Task Metrics_show_stage_durations_and_queue_depth_of_a_processed_call_and_only_to_an_operator()
    {
        var dir = TestCalls.TempDir("qa-metrics");
        var options = TestCalls.Options(engines.NewDatabase("sqlite"), dir);
        options.AnalyzeAudio = true;
        options.ApiKey = TestCalls.ApiKey;
        var served = await TestCalls.Serve(options, workers: true);
        await using var app = served.App;
        using var http = served.Http;
        using var anonymous = TestCalls.Client(app);

        var ingested = await TestCalls.IngestFile(app.Services, TestCalls.WriteCall(Path.Combine(dir, "in"), "call", 7));
        await TestCalls.WaitForIdle(app.Services.GetRequiredService<CallRepository>(), TimeSpan.FromSeconds(60));
        Assert.Equal(CallStatus.Scored, (await app.Services.GetRequiredService<CallRepository>().Get(ingested.CallId))!.Status);

        // On a node without the web app the operator is the machine holding the API key (the web host's own test:
        // AccessRules, a signed-in admin).
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var samples = Parse(await response.Content.ReadAsStringAsync());

        // Each stage ran once for the call, with its duration recorded; the audio stage took measurable time.
        foreach (var (stage, outcome) in new[] { (Stage.Analyse, "succeeded"), (Stage.Transcribe, "skipped"), (Stage.Score, "succeeded"), (Stage.Flag, "succeeded") })
        {
            Assert.Equal(1, Value(samples, "qa_stage_duration_seconds_count", stage, outcome));
            Assert.True(Value(samples, "qa_stage_duration_seconds_sum", stage, outcome) >= 0);
        }
        Assert.True(Value(samples, "qa_stage_duration_seconds_sum", Stage.Analyse, "succeeded") > 0);
        Assert.Equal(1, samples.Single(s => s.Name == "qa_calls_scored_total").Value);
        // Queue depth per stage, the calls still waiting for admission among them: all zero once the call is done.
        foreach (var stage in new[] { PipelineMetrics.Admission, Stage.Analyse, Stage.Transcribe, Stage.Score, Stage.Flag })
            Assert.Equal(0, samples.Single(s => s.Name == "qa_queue_depth" && s.Labels.GetValueOrDefault("stage") == stage).Value);
        Assert.Equal(0, samples.Single(s => s.Name == "qa_backlog_oldest_age_seconds").Value);
        await app.StopAsync();
    }

    private static double Value(IEnumerable<Sample> samples, string name, string stage, string outcome) =>
        samples.Single(s => s.Name == name && s.Labels.GetValueOrDefault("stage") == stage && s.Labels.GetValueOrDefault("outcome") == outcome).Value;

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>The Prometheus text format: <c>name{label="value",...} number [timestamp]</c>, comments skipped.</summary>
    private static List<Sample> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success)
            .Select(m => new Sample(m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
