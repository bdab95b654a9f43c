using System.Text.Json;

namespace QaPipeline.Cli.Tests.Calibration;

public class CalibrationSimulateCliTests
{
    [Fact]
    public void Simulate_prints_learned_rule_based_and_random_figures_for_the_same_queue()
    {
        var (exit, stdout, stderr) = CalibrationStatsCliTests.Qa("calibration", "simulate", "--days", "12", "--calls-per-day", "10", "--capacity", "20");
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(12 * 10 * 18, json.GetProperty("reviews").GetInt32());
        var orderings = json.GetProperty("orderings").EnumerateArray().ToDictionary(o => o.GetProperty("ordering").GetString()!);
        Assert.Equal(["learned", "random", "rule_based"], orderings.Keys.Order());
        var learned = orderings["learned"].GetProperty("found_in_first_ten_percent").GetDouble();
        var random = orderings["random"].GetProperty("found_in_first_ten_percent").GetDouble();
        Assert.True(learned > random, $"learned {learned} vs random {random}");
        Assert.StartsWith("learned model v000", json.GetProperty("queue_ordered_by").GetString());
    }

    [Fact]
    public void Simulate_rejects_a_history_too_short_to_split()
    {
        var (exit, _, stderr) = CalibrationStatsCliTests.Qa("calibration", "simulate", "--days", "1");
        Assert.Equal(2, exit);
        Assert.Equal("qa: error: --days must be at least 3", stderr.Trim());
    }
}
