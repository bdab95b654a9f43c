using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class IntraclassCorrelationTests
{
    // Shrout & Fleiss (1979), Psychological Bulletin 86(2), Table 2: six targets rated by four judges.
    // The same data are samples/calibration/shrout-fleiss-1979.csv.
    internal static readonly double[,] Table2 =
    {
        { 9, 2, 5, 8 }, { 6, 1, 3, 2 }, { 8, 4, 6, 8 }, { 7, 1, 2, 6 }, { 10, 5, 6, 9 }, { 6, 2, 4, 7 },
    };

    [Fact]
    public void Shrout_fleiss_table_2_gives_the_six_published_iccs()
    {
        // Published (Table 4): ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
        var icc = IntraclassCorrelation.Compute(Table2)!;
        Assert.Equal(0.17, icc.Icc1.Value!.Value, 2);
        Assert.Equal(0.29, icc.Icc2.Value!.Value, 2);
        Assert.Equal(0.71, icc.Icc3.Value!.Value, 2);
        Assert.Equal(0.44, icc.Icc1k.Value!.Value, 2);
        Assert.Equal(0.62, icc.Icc2k.Value!.Value, 2);
        Assert.Equal(0.91, icc.Icc3k.Value!.Value, 2);
    }

    [Fact]
    public void Shrout_fleiss_table_2_mean_squares_match_the_anova_table()
    {
        // Table 3 of the paper: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
        var icc = IntraclassCorrelation.Compute(Table2)!;
        Assert.Equal(11.24, icc.BetweenTargetsMeanSquare, 2);
        Assert.Equal(6.26, icc.WithinTargetMeanSquare, 2);
        Assert.Equal(32.49, icc.BetweenJudgesMeanSquare, 2);
        Assert.Equal(1.02, icc.ResidualMeanSquare, 2);
    }

    [Fact]
    public void Shrout_fleiss_table_2_confidence_intervals_match_the_psych_package()
    {
        // The R psych package's ICC() documents its output for these data (its "sf" example), with the F-based
        // 95% bounds of Shrout & Fleiss: ICC1 [-.133, .72], ICC2 [.019, .76], ICC3 [.342, .95],
        // ICC1k [-.884, .91], ICC2k [.071, .93], ICC3k [.676, .99].
        var icc = IntraclassCorrelation.Compute(Table2)!;
        AssertInterval(icc.Icc1, -0.133, 0.72);
        AssertInterval(icc.Icc2, 0.019, 0.76);
        AssertInterval(icc.Icc3, 0.342, 0.95);
        AssertInterval(icc.Icc1k, -0.884, 0.91);
        AssertInterval(icc.Icc2k, 0.071, 0.93);
        AssertInterval(icc.Icc3k, 0.676, 0.99);
    }

    private static void AssertInterval(IccEstimate estimate, double lower, double upper)
    {
        var ci = estimate.Ci95!.Value;
        Assert.Equal(lower, ci.Lower, 0.0006);
        Assert.Equal(upper, ci.Upper, 0.006);
        Assert.InRange(estimate.Value!.Value, ci.Lower, ci.Upper);
    }

    [Fact]
    public void Identical_ratings_everywhere_leave_every_icc_undefined_without_nan()
    {
        var icc = IntraclassCorrelation.Compute(new double[,] { { 80, 80 }, { 80, 80 }, { 80, 80 } })!;
        foreach (var e in new[] { icc.Icc1, icc.Icc2, icc.Icc3, icc.Icc1k, icc.Icc2k, icc.Icc3k })
        {
            Assert.Null(e.Value);
            Assert.Null(e.Ci95);
        }
    }

    [Fact]
    public void Perfectly_consistent_judges_give_icc3_of_one()
    {
        // Judge 2 is always judge 1 + 5: no residual error, so consistency (case 3) is perfect.
        var icc = IntraclassCorrelation.Compute(new double[,] { { 70, 75 }, { 80, 85 }, { 90, 95 } })!;
        Assert.Equal(1.0, icc.Icc3.Value!.Value, 12);
        Assert.True(icc.Icc2.Value < 1.0);
    }

    [Fact]
    public void A_single_target_gives_no_icc()
    {
        Assert.Null(IntraclassCorrelation.Compute(new double[,] { { 1, 2, 3 } }));
    }
}
