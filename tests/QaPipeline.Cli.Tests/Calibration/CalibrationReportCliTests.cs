using System.Text.Json;

namespace QaPipeline.Cli.Tests.Calibration;

public class CalibrationReportCliTests
{
    [Fact]
    public void Report_on_the_sample_sessions_marks_the_drifting_monitor_and_the_automatic_scorer()
    {
        var (exit, stdout, stderr) = CalibrationStatsCliTests.Qa("calibration", "report", "--input", "samples/calibration/sessions.csv");
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var json = JsonDocument.Parse(stdout).RootElement;
        var sessions = json.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(["s2026-09", "s2026-10", "s2026-11"], sessions.Select(s => s.GetProperty("session_id").GetString()));
        var first = sessions[0];
        Assert.Equal(4, first.GetProperty("items").GetArrayLength());
        var auto = first.GetProperty("raters").EnumerateArray().Single(r => r.GetProperty("rater").GetString() == "auto");
        Assert.True(auto.GetProperty("is_automatic").GetBoolean());
        Assert.InRange(auto.GetProperty("with_agreed").GetDouble(), 0, 1);
        // Every monitor passed courtesy.empathy on every call in the first session: alpha undefined, printed as null.
        var empathy = first.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("item_id").GetString() == "courtesy.empathy");
        Assert.Equal(JsonValueKind.Null, empathy.GetProperty("alpha_among_monitors").ValueKind);
        Assert.DoesNotContain("NaN", stdout);

        var trends = json.GetProperty("trends").EnumerateArray().ToDictionary(t => t.GetProperty("rater").GetString()!);
        Assert.True(trends["zhao"].GetProperty("drifting").GetBoolean());
        Assert.False(trends["li"].GetProperty("drifting").GetBoolean());
        Assert.Equal(3, trends["zhao"].GetProperty("points").GetArrayLength());
    }

    [Fact]
    public void Report_rejects_a_bad_date_with_the_line_number()
    {
        var file = Path.Combine(Path.GetTempPath(), $"qa-sessions-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "session,date,call,item,rater,value\ns1,2026-11-02,c1,greeting.opening,li,pass\ns1,02/11/2026,c1,greeting.opening,wang,pass\n");
        try
        {
            var (exit, _, stderr) = CalibrationStatsCliTests.Qa("calibration", "report", "--input", file);
            Assert.Equal(2, exit);
            Assert.Contains("line 3: date '02/11/2026' is not yyyy-MM-dd", stderr);
            Assert.Single(stderr.TrimEnd().Split('\n'));
        }
        finally { File.Delete(file); }
    }
}
