using QaPipeline.Calibration.Reports;

namespace QaPipeline.Calibration.Tests.Reports;

public class CalibrationSessionsCsvTests
{
    [Fact]
    public void A_quoted_comma_stays_inside_its_field()
    {
        // A spreadsheet quotes a session name or rater with a comma in it; the row still has six fields.
        var sessions = CalibrationSessionsCsv.Parse(
            "\uFEFFsession,date,call,item,rater,value\r\n" +
            "\"Week 48, north\",2026-11-30,c1,greeting.opening,\"Li, Wei\",pass\r\n" +
            "\"Week 48, north\",2026-11-30,c1,greeting.opening,agreed,FAIL\r\n");
        var session = Assert.Single(sessions);
        Assert.Equal("Week 48, north", session.Id);
        var rating = Assert.Single(session.Ratings);
        Assert.Equal(("c1", "greeting.opening", "Li, Wei", "pass"), (rating.CallId, rating.ItemId, rating.Rater, rating.Verdict));
        Assert.Equal("fail", Assert.Single(session.Agreed).Verdict);
    }

    [Theory]
    [InlineData("session,date,call\n", "line 1: expected the header session,date,call,item,rater,value")]
    [InlineData("session,date,call,item,rater,value\ns1,2026-11-30,c1,item,li\n", "line 2: expected 6 fields")]
    [InlineData("session,date,call,item,rater,value\n\ns1,30/11/2026,c1,item,li,pass\n", "line 3: date '30/11/2026' is not yyyy-MM-dd")]
    [InlineData("session,date,call,item,rater,value\ns1,2026-11-30,c1,item,\"li,pass\n", "line 2: unterminated quoted field")]
    public void A_malformed_sessions_csv_names_the_line_that_is_wrong(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => CalibrationSessionsCsv.Parse(text));
        Assert.Contains(message, e.Message);
    }
}
