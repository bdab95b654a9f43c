using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class KrippendorffAlphaTests
{
    // Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, section C: observers A–D, units 1–12,
    // missing values as null. Published: nominal .743, ordinal .815, interval .849, ratio .797.
    // The same data are samples/calibration/krippendorff-2011.csv.
    internal static RatingTable Section_C_data()
    {
        int?[][] rows =
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
            [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
        ];
        var ratings = new List<Rating>();
        for (var o = 0; o < 4; o++)
            for (var u = 0; u < 12; u++) ratings.Add(new Rating($"{u + 1}", "ABCD"[o].ToString(), rows[o][u]?.ToString()));
        return RatingTable.FromRatings(ratings);
    }

    [Theory]
    [InlineData(MeasurementLevel.Nominal, 0.743)]
    [InlineData(MeasurementLevel.Ordinal, 0.815)]
    [InlineData(MeasurementLevel.Interval, 0.849)]
    [InlineData(MeasurementLevel.Ratio, 0.797)]
    public void Krippendorff_2011_four_observers_with_missing_data_match_the_published_alphas(MeasurementLevel level, double published)
    {
        var result = KrippendorffAlpha.Compute(Section_C_data(), level);
        Assert.Equal(published, result.Alpha!.Value, 3);
        // Unit 12 has one value and is not pairable; 40 of the 41 values are.
        Assert.Equal(40, result.PairableValues);
    }

    [Fact]
    public void Krippendorff_2011_two_observers_binary_data_give_alpha_0_095()
    {
        // Section A: binary data, two observers, ten units, no missing data; published alpha = 0.095.
        int[] a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
        int[] b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
        var table = RatingTable.FromRatings(a.Select((v, i) => new Rating($"{i}", "A", $"{v}"))
            .Concat(b.Select((v, i) => new Rating($"{i}", "B", $"{v}"))));
        Assert.Equal(0.095, KrippendorffAlpha.Compute(table, MeasurementLevel.Nominal).Alpha!.Value, 3);
    }

    [Fact]
    public void A_unit_with_a_single_value_does_not_change_alpha()
    {
        var before = KrippendorffAlpha.Compute(Section_C_data(), MeasurementLevel.Interval).Alpha!.Value;
        var ratings = new List<Rating>();
        var table = Section_C_data();
        for (var u = 0; u < table.Units.Count; u++)
            for (var r = 0; r < table.Raters.Count; r++) ratings.Add(new Rating(table.Units[u], table.Raters[r], table[u, r]));
        ratings.Add(new Rating("13", "A", "5"));
        var after = KrippendorffAlpha.Compute(RatingTable.FromRatings(ratings), MeasurementLevel.Interval).Alpha!.Value;
        Assert.Equal(before, after, 12);
    }

    [Fact]
    public void All_values_equal_leaves_alpha_undefined_without_nan()
    {
        var table = RatingTable.FromRatings([new("1", "a", "pass"), new("1", "b", "pass"), new("2", "a", "pass"), new("2", "b", "pass")]);
        var result = KrippendorffAlpha.Compute(table, MeasurementLevel.Nominal);
        Assert.Null(result.Alpha);
        Assert.Equal(0.0, result.ObservedDisagreement);
        Assert.False(double.IsNaN(result.ExpectedDisagreement));
    }

    [Fact]
    public void No_pairable_values_leaves_alpha_undefined()
    {
        var table = RatingTable.FromRatings([new("1", "a", "1"), new("2", "b", "2"), new("3", "a", null)]);
        var result = KrippendorffAlpha.Compute(table, MeasurementLevel.Interval);
        Assert.Null(result.Alpha);
        Assert.Equal(0, result.PairableValues);
    }

    [Fact]
    public void A_single_unit_with_two_different_values_gives_alpha_zero()
    {
        // One unit {1, 2}: o_12 = o_21 = 1, n = 2; D_o = 2/2 = 1; D_e = 2/(2·1) = 1 (nominal): alpha = 0.
        var table = RatingTable.FromRatings([new("1", "a", "1"), new("1", "b", "2")]);
        Assert.Equal(0.0, KrippendorffAlpha.Compute(table, MeasurementLevel.Nominal).Alpha!.Value, 12);
    }

    [Fact]
    public void Nominal_level_treats_1_and_1_point_0_as_one_category()
    {
        var table = RatingTable.FromRatings([new("1", "a", "1"), new("1", "b", "1.0"), new("2", "a", "2"), new("2", "b", "2")]);
        Assert.Equal(1.0, KrippendorffAlpha.Compute(table, MeasurementLevel.Nominal).Alpha!.Value, 12);
    }

    [Fact]
    public void Text_values_at_interval_level_are_rejected_with_the_offending_value()
    {
        var table = RatingTable.FromRatings([new("1", "a", "pass"), new("1", "b", "2")]);
        var e = Assert.Throws<FormatException>(() => KrippendorffAlpha.Compute(table, MeasurementLevel.Interval));
        Assert.Contains("'pass'", e.Message);
    }
}
