using QaPipeline.Calibration.Reports;

namespace QaPipeline.Calibration.Tests.Reports;

public class CalibrationReportTests
{
    // A small meeting: monitors li, wang, zhao and the automatic scorer rate two items on four calls.
    // Agreed verdicts: greeting.opening pass,pass,fail,pass; courtesy.apology pass,fail,fail,pass.
    private static CalibrationSession Session(string id, DateOnly heldOn, string zhaoOpening = "pass,pass,fail,pass", double zhaoOffset = 0)
    {
        var ratings = new List<ItemRating>();
        void Rate(string rater, string item, string verdicts)
        {
            var v = verdicts.Split(',');
            for (var c = 0; c < v.Length; c++) ratings.Add(new ItemRating($"call{c + 1}", item, rater, v[c]));
        }
        Rate("li", "greeting.opening", "pass,pass,fail,pass");
        Rate("wang", "greeting.opening", "pass,pass,fail,fail");
        Rate("zhao", "greeting.opening", zhaoOpening);
        Rate("auto", "greeting.opening", "pass,fail,fail,pass");
        Rate("li", "courtesy.apology", "pass,fail,fail,pass");
        Rate("wang", "courtesy.apology", "pass,fail,fail,pass");
        Rate("zhao", "courtesy.apology", "pass,fail,fail,pass");
        Rate("auto", "courtesy.apology", "pass,fail,pass,pass");
        var agreed = new List<AgreedVerdict>();
        var opening = "pass,pass,fail,pass".Split(',');
        var apology = "pass,fail,fail,pass".Split(',');
        for (var c = 0; c < 4; c++)
        {
            agreed.Add(new AgreedVerdict($"call{c + 1}", "greeting.opening", opening[c]));
            agreed.Add(new AgreedVerdict($"call{c + 1}", "courtesy.apology", apology[c]));
        }
        var totals = new List<CallTotal>
        {
            new("call1", "li", 90), new("call1", "wang", 86), new("call1", "zhao", 88 + zhaoOffset), new("call1", "auto", 80),
            new("call2", "li", 70), new("call2", "wang", 72), new("call2", "zhao", 71 + zhaoOffset), new("call2", "auto", 71),
        };
        return new CalibrationSession(id, heldOn, ratings, agreed, totals);
    }

    [Fact]
    public void Each_rater_is_scored_against_the_agreed_verdicts_with_the_automatic_scorer_as_one_more_rater()
    {
        var report = CalibrationReport.Of(Session("s1", new DateOnly(2026, 11, 2)));
        var li = report.Raters.Single(r => r.Rater == "li");
        var wang = report.Raters.Single(r => r.Rater == "wang");
        var auto = report.Raters.Single(r => r.Rater == "auto");
        Assert.Equal(1.0, li.WithAgreed);
        Assert.Equal(7.0 / 8, wang.WithAgreed);
        Assert.True(auto.IsAutomatic);
        Assert.Equal(6.0 / 8, auto.WithAgreed);
        // li agrees with wang on 7 of 8 and with zhao on 8 of 8; with the automatic scorer on 6 of 8.
        Assert.Equal((7.0 / 8 + 1.0) / 2, li.WithOtherRaters!.Value, 12);
        Assert.Equal(6.0 / 8, li.WithAutomatic);
        Assert.Null(auto.WithAutomatic);
    }

    [Fact]
    public void Per_item_report_shows_where_the_automatic_scorer_disagrees()
    {
        var report = CalibrationReport.Of(Session("s1", new DateOnly(2026, 11, 2)));
        var apology = report.Items.Single(i => i.ItemId == "courtesy.apology");
        Assert.Equal(1.0, apology.AlphaAmongMonitors);
        Assert.True(apology.AlphaWithAutomatic < 1.0);
        Assert.Equal(3.0 / 4, apology.Raters.Single(r => r.IsAutomatic).WithAgreed);
    }

    [Fact]
    public void Totals_more_than_five_points_from_the_session_mean_are_marked()
    {
        var report = CalibrationReport.Of(Session("s1", new DateOnly(2026, 11, 2)));
        // Session mean of the monitors: call1 (90+86+88)/3 = 88, call2 (70+72+71)/3 = 71.
        var auto = report.Totals.Single(t => t.Rater == "auto");
        var call1 = auto.Calls.Single(c => c.CallId == "call1");
        Assert.Equal(88, call1.SessionMean, 12);
        Assert.Equal(-8, call1.Distance, 12);
        Assert.False(call1.WithinTolerance);
        Assert.Equal(1, auto.CallsOutsideTolerance);
        Assert.Equal(8, auto.TotalAbsoluteDistance, 12);
        var li = report.Totals.Single(t => t.Rater == "li");
        Assert.All(li.Calls, c => Assert.True(c.WithinTolerance));
        Assert.Equal(3, li.TotalAbsoluteDistance, 12);
    }

    [Fact]
    public void A_monitor_whose_agreement_falls_session_after_session_is_marked_drifting()
    {
        var reports = new[]
        {
            CalibrationReport.Of(Session("s1", new DateOnly(2026, 9, 1))),
            CalibrationReport.Of(Session("s2", new DateOnly(2026, 10, 1), zhaoOpening: "pass,pass,fail,fail")),
            CalibrationReport.Of(Session("s3", new DateOnly(2026, 11, 1), zhaoOpening: "fail,fail,pass,fail", zhaoOffset: 9)),
        };
        var trends = CalibrationTrends.Of(reports);
        var zhao = trends.Single(t => t.Rater == "zhao");
        Assert.Equal(["s1", "s2", "s3"], zhao.Points.Select(p => p.SessionId));
        Assert.True(zhao.AgreementSlope < -CalibrationTrends.DriftPerSession);
        Assert.True(zhao.Drifting);
        var li = trends.Single(t => t.Rater == "li");
        Assert.Equal(0.0, li.AgreementSlope!.Value, 12);
        Assert.False(li.Drifting);
        Assert.True(trends.Single(t => t.Rater == "auto").IsAutomatic);
    }

    [Fact]
    public void A_session_where_everyone_passes_an_item_reports_no_alpha_instead_of_nan()
    {
        var ratings = new[] { "li", "wang", "auto" }.SelectMany(r => new[] { new ItemRating("c1", "wait.thanks", r, "pass"), new ItemRating("c2", "wait.thanks", r, "pass") }).ToList();
        var report = CalibrationReport.Of(new CalibrationSession("s", new DateOnly(2026, 11, 2), ratings, [], []));
        var item = Assert.Single(report.Items);
        Assert.Null(item.AlphaAmongMonitors);
        Assert.All(item.Raters, r => Assert.Null(r.WithAgreed));
        Assert.All(item.Raters.Where(r => !r.IsAutomatic), r => Assert.Equal(1.0, r.WithOtherRaters));
    }
}
