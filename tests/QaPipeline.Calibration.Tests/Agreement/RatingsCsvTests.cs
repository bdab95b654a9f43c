using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class RatingsCsvTests
{
    [Fact]
    public void Empty_value_means_not_rated()
    {
        var ratings = RatingsCsv.Parse("unit,rater,value\n1,A,3\n1,B,\n");
        Assert.Equal([new Rating("1", "A", "3"), new Rating("1", "B", null)], ratings);
    }

    [Fact]
    public void Quoted_fields_may_contain_commas_and_a_bom_is_ignored()
    {
        var ratings = RatingsCsv.Parse("\uFEFFunit,rater,value\r\n\"call 1, item 2\",\"Li, Wei\",pass\r\n");
        Assert.Equal(new Rating("call 1, item 2", "Li, Wei", "pass"), Assert.Single(ratings));
    }

    [Theory]
    [InlineData("unit,value\n1,3\n", "line 1: expected the header unit,rater,value")]
    [InlineData("unit,rater,value\n1,A\n", "line 2: expected 3 fields")]
    [InlineData("unit,rater,value\n1,A,3\n,B,2\n", "line 3: unit is empty")]
    [InlineData("unit,rater,value\n", "no ratings")]
    [InlineData("", "empty")]
    [InlineData("unit,rater,value\n\"1,A,3\n", "line 2: unterminated quoted field")]
    public void Malformed_csv_is_rejected_with_the_line_that_is_wrong(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => RatingsCsv.Parse(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Two_different_values_from_one_rater_for_one_unit_are_rejected()
    {
        var e = Assert.Throws<FormatException>(() => RatingTable.FromRatings(RatingsCsv.Parse("unit,rater,value\n1,A,3\n1,A,4\n")));
        Assert.Contains("unit '1' has two values from rater 'A'", e.Message);
    }
}
