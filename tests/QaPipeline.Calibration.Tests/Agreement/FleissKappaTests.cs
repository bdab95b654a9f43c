using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class FleissKappaTests
{
    // Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters each, 5 categories (n_ij per row).
    // Published: P̄ = 0.378, P̄_e = 0.213, kappa = 0.210. The same data are samples/calibration/fleiss-wikipedia.csv.
    internal static readonly int[,] WikipediaCounts =
    {
        { 0, 0, 0, 0, 14 }, { 0, 2, 6, 4, 2 }, { 0, 0, 3, 5, 6 }, { 0, 3, 9, 2, 0 }, { 2, 2, 8, 1, 1 },
        { 7, 7, 0, 0, 0 }, { 3, 2, 6, 3, 0 }, { 2, 5, 3, 2, 2 }, { 6, 5, 2, 1, 0 }, { 0, 2, 2, 3, 7 },
    };

    [Fact]
    public void Wikipedia_ten_subjects_fourteen_raters_give_kappa_0_210()
    {
        var result = FleissKappa.Compute(WikipediaCounts)!;
        Assert.Equal(0.378, result.ObservedAgreement, 3);
        Assert.Equal(0.213, result.ChanceAgreement, 3);
        Assert.Equal(0.210, result.Kappa!.Value, 3);
        Assert.Equal(14, result.RatingsPerUnit);
    }

    [Fact]
    public void Long_format_table_gives_the_same_kappa_as_the_count_table()
    {
        var ratings = new List<Rating>();
        for (var s = 0; s < 10; s++)
        {
            var r = 0;
            for (var c = 0; c < 5; c++)
                for (var i = 0; i < WikipediaCounts[s, c]; i++) ratings.Add(new Rating($"s{s}", $"r{++r}", $"cat{c}"));
        }
        var result = FleissKappa.Compute(RatingTable.FromRatings(ratings))!;
        Assert.Equal(FleissKappa.Compute(WikipediaCounts)!.Kappa!.Value, result.Kappa!.Value, 12);
    }

    [Fact]
    public void Every_rating_in_one_category_leaves_kappa_undefined_with_observed_agreement_one()
    {
        var result = FleissKappa.Compute(new[,] { { 3, 0 }, { 3, 0 } })!;
        Assert.Null(result.Kappa);
        Assert.Equal(1.0, result.ObservedAgreement);
    }

    [Fact]
    public void Units_with_different_numbers_of_ratings_give_no_fleiss_kappa()
    {
        var table = RatingTable.FromRatings([
            new("1", "a", "pass"), new("1", "b", "pass"), new("1", "c", "fail"),
            new("2", "a", "pass"), new("2", "b", "fail"), new("2", "c", null),
        ]);
        Assert.Null(FleissKappa.Compute(table));
    }

    [Fact]
    public void A_single_unit_with_mixed_ratings_has_a_defined_kappa()
    {
        // One unit, 2 pass + 2 fail: P̄ = (4 + 4 − 4)/(4·3) = 1/3, P̄_e = .5, kappa = (1/3 − .5)/.5 = −1/3.
        var result = FleissKappa.Compute(new[,] { { 2, 2 } })!;
        Assert.Equal(-1.0 / 3, result.Kappa!.Value, 12);
    }
}
