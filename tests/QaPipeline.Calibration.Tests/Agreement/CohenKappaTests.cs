using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class CohenKappaTests
{
    /// <summary>Two raters' verdicts built from a 2×2 table: yes/yes, yes/no, no/yes, no/no counts.</summary>
    internal static (string?[] A, string?[] B) FromTable(int yesYes, int yesNo, int noYes, int noNo)
    {
        var a = new List<string?>();
        var b = new List<string?>();
        void Add(string x, string y, int count) { for (var i = 0; i < count; i++) { a.Add(x); b.Add(y); } }
        Add("yes", "yes", yesYes); Add("yes", "no", yesNo); Add("no", "yes", noYes); Add("no", "no", noNo);
        return (a.ToArray(), b.ToArray());
    }

    [Fact]
    public void Wikipedia_fifty_grant_proposals_give_kappa_0_4()
    {
        // Wikipedia, "Cohen's kappa", simple example: 50 proposals, A and B both yes 20, A yes B no 5,
        // A no B yes 10, both no 15; p_o = 0.7, p_e = 0.5, kappa = 0.4.
        var (a, b) = FromTable(20, 5, 10, 15);
        var result = CohenKappa.Compute(a, b)!;
        Assert.Equal(0.7, result.ObservedAgreement, 12);
        Assert.Equal(0.5, result.ChanceAgreement, 12);
        Assert.Equal(0.4, result.Kappa!.Value, 12);
        Assert.Equal(50, result.Units);
    }

    [Fact]
    public void Standard_error_follows_fleiss_cohen_everitt_for_the_fifty_proposals()
    {
        // Hand computation with Fleiss, Levin & Paik (2003) eq. 18.13 on the same table:
        // A = .4(1 − 1.1·.6)² + .3(1 − .9·.6)² = .10972; B = .36(.1·1.1² + .2·.9²) = .10188; C = (.4 − .5·.6)² = .01;
        // se = √(.2016) / (.5·√50) = .126996; CI = .4 ± 1.96·se = [.1511, .6489].
        var (a, b) = FromTable(20, 5, 10, 15);
        var result = CohenKappa.Compute(a, b)!;
        Assert.Equal(0.126996, result.StandardError!.Value, 5);
        Assert.Equal(0.1511, result.Ci95!.Value.Lower, 3);
        Assert.Equal(0.6489, result.Ci95!.Value.Upper, 3);
    }

    [Theory]
    // Wikipedia, "Cohen's kappa", "same percentages but different numbers": both tables have p_o = 0.6,
    // yet kappa is 0.1304 (p_e = .54) and 0.2593 (p_e = .46).
    [InlineData(45, 15, 25, 15, 0.06 / 0.46)]
    [InlineData(25, 35, 5, 35, 0.14 / 0.54)]
    public void Equal_observed_agreement_with_different_marginals_gives_different_kappas(int yy, int yn, int ny, int nn, double expected)
    {
        var (a, b) = FromTable(yy, yn, ny, nn);
        var result = CohenKappa.Compute(a, b)!;
        Assert.Equal(0.6, result.ObservedAgreement, 12);
        Assert.Equal(expected, result.Kappa!.Value, 10);
    }

    [Fact]
    public void Both_raters_using_one_category_leaves_kappa_undefined_with_observed_agreement_one()
    {
        var result = CohenKappa.Compute(["pass", "pass", "pass"], ["pass", "pass", "pass"])!;
        Assert.Null(result.Kappa);
        Assert.Null(result.StandardError);
        Assert.Equal(1.0, result.ObservedAgreement);
    }

    [Fact]
    public void Units_missing_a_rating_are_left_out()
    {
        // Without the two half-rated units this is perfect agreement on two categories: kappa 1.
        var result = CohenKappa.Compute(["pass", "fail", null, "pass", "fail"], ["pass", "fail", "fail", "pass", null])!;
        Assert.Equal(3, result.Units);
        Assert.Equal(1.0, result.Kappa!.Value, 12);
    }

    [Fact]
    public void No_unit_rated_by_both_gives_no_result()
    {
        Assert.Null(CohenKappa.Compute(["pass", null], [null, "fail"]));
    }
}
