using System.Text.Json;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests.Calibration;

/// <summary>
/// Runs the built CLI (qa.dll, copied beside these tests) as a separate process on the published datasets
/// under samples/calibration, exactly as `./qa calibration stats` is called.
/// </summary>
public class CalibrationStatsCliTests
{
    internal static string RepoRoot() => QaPipeline.TestSupport.RepositoryPaths.Root;

    internal static QaProcess.Result Qa(params string[] args) => QaProcess.Run(args);

    private static JsonElement Stats(string sample, string level)
    {
        var (exit, stdout, stderr) = Qa("calibration", "stats", "--input", $"samples/calibration/{sample}", "--level", level);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    [Theory]
    [InlineData("nominal", 0.743)]
    [InlineData("ordinal", 0.815)]
    [InlineData("interval", 0.849)]
    public void Krippendorff_2011_example_reproduces_the_published_alpha_through_the_cli(string level, double published)
    {
        var json = Stats("krippendorff-2011.csv", level);
        Assert.Equal(12, json.GetProperty("units").GetInt32());
        Assert.Equal(4, json.GetProperty("raters").GetInt32());
        Assert.Equal(level, json.GetProperty("level").GetString());
        Assert.Equal(published, json.GetProperty("krippendorff_alpha").GetDouble(), 3);
        // Missing data: no common number of ratings per unit, no complete table.
        Assert.Equal(JsonValueKind.Null, json.GetProperty("cohen_kappa").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("fleiss_kappa").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("icc").ValueKind);
    }

    [Fact]
    public void Shrout_fleiss_table_2_reproduces_the_six_published_iccs_through_the_cli()
    {
        var json = Stats("shrout-fleiss-1979.csv", "interval");
        Assert.Equal(6, json.GetProperty("units").GetInt32());
        Assert.Equal(4, json.GetProperty("raters").GetInt32());
        var icc = json.GetProperty("icc");
        Assert.Equal(0.17, icc.GetProperty("icc1").GetDouble(), 2);
        Assert.Equal(0.29, icc.GetProperty("icc2").GetDouble(), 2);
        Assert.Equal(0.71, icc.GetProperty("icc3").GetDouble(), 2);
        Assert.Equal(0.44, icc.GetProperty("icc1k").GetDouble(), 2);
        Assert.Equal(0.62, icc.GetProperty("icc2k").GetDouble(), 2);
        Assert.Equal(0.91, icc.GetProperty("icc3k").GetDouble(), 2);
        // Numbers are printed unrounded.
        Assert.NotEqual(Math.Round(icc.GetProperty("icc1").GetDouble(), 6), icc.GetProperty("icc1").GetDouble());
        // Every target has four ratings, so Fleiss' kappa applies (treating the scores as categories).
        Assert.Equal(JsonValueKind.Number, json.GetProperty("fleiss_kappa").ValueKind);
    }

    [Fact]
    public void Shrout_fleiss_data_at_nominal_level_have_no_icc()
    {
        Assert.Equal(JsonValueKind.Null, Stats("shrout-fleiss-1979.csv", "nominal").GetProperty("icc").ValueKind);
    }

    [Fact]
    public void Fleiss_wikipedia_example_reproduces_kappa_0_210_through_the_cli()
    {
        var json = Stats("fleiss-wikipedia.csv", "nominal");
        Assert.Equal(10, json.GetProperty("units").GetInt32());
        Assert.Equal(14, json.GetProperty("raters").GetInt32());
        Assert.Equal(0.210, json.GetProperty("fleiss_kappa").GetDouble(), 3);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("cohen_kappa").ValueKind);
    }

    [Fact]
    public void Cohen_wikipedia_example_reproduces_kappa_0_4_through_the_cli()
    {
        var json = Stats("cohen-wikipedia.csv", "nominal");
        Assert.Equal(2, json.GetProperty("raters").GetInt32());
        Assert.Equal(0.4, json.GetProperty("cohen_kappa").GetDouble(), 10);
        var ci = json.GetProperty("cohen").GetProperty("ci95");
        Assert.Equal(0.151, ci[0].GetDouble(), 3);
    }

    [Fact]
    public void Two_raters_at_interval_level_get_bland_altman_limits()
    {
        var json = Stats("bland-altman-1986.csv", "interval");
        var ba = json.GetProperty("bland_altman");
        Assert.Equal(-2.1, ba.GetProperty("mean_difference").GetDouble(), 1);
        Assert.Equal(38.8, ba.GetProperty("sd_difference").GetDouble(), 1);
    }

    [Fact]
    public void Default_level_is_nominal()
    {
        var (exit, stdout, _) = Qa("calibration", "stats", "--input", "samples/calibration/krippendorff-2011.csv");
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("nominal", json.GetProperty("level").GetString());
        Assert.Equal(0.743, json.GetProperty("krippendorff_alpha").GetDouble(), 3);
    }

    [Fact]
    public void Unanimous_single_category_prints_nulls_not_nan()
    {
        var file = Path.Combine(Path.GetTempPath(), $"qa-unanimous-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "unit,rater,value\n1,a,pass\n1,b,pass\n2,a,pass\n2,b,pass\n");
        try
        {
            var (exit, stdout, _) = Qa("calibration", "stats", "--input", file);
            Assert.Equal(0, exit);
            Assert.DoesNotContain("NaN", stdout);
            var json = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(JsonValueKind.Null, json.GetProperty("cohen_kappa").ValueKind);
            Assert.Equal(JsonValueKind.Null, json.GetProperty("krippendorff_alpha").ValueKind);
            Assert.Equal(1.0, json.GetProperty("cohen").GetProperty("observed_agreement").GetDouble());
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("unit;rater;value\n1;a;1\n", "expected the header unit,rater,value")]
    [InlineData("unit,rater,value\n1,a\n", "line 2: expected 3 fields")]
    [InlineData("unit,rater,value\n1,a,1\n1,a,2\n", "two values from rater 'a'")]
    public void Bad_csv_gives_a_one_line_error_and_exit_2(string content, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"qa-bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, content);
        try
        {
            var (exit, stdout, stderr) = Qa("calibration", "stats", "--input", file, "--level", "interval");
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("qa: error:", line);
            Assert.Contains(message, line);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Text_verdicts_at_interval_level_give_a_one_line_error()
    {
        var (exit, _, stderr) = Qa("calibration", "stats", "--input", "samples/calibration/cohen-wikipedia.csv", "--level", "interval");
        Assert.Equal(2, exit);
        Assert.Contains("is not a number", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void Missing_file_and_unknown_level_give_one_line_errors()
    {
        var missing = Qa("calibration", "stats", "--input", "samples/calibration/no-such.csv");
        Assert.Equal(2, missing.Exit);
        Assert.StartsWith("qa: error:", missing.Stderr);
        var level = Qa("calibration", "stats", "--input", "samples/calibration/krippendorff-2011.csv", "--level", "cardinal");
        Assert.Equal(2, level.Exit);
        Assert.Contains("--level must be nominal, ordinal or interval", level.Stderr);
    }
}
