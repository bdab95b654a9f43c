using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class BlandAltmanTests
{
    // Bland & Altman (1986), Lancet i:307–310, Table 1: peak expiratory flow rate (l/min) of 17 subjects,
    // first reading with the large Wright meter and with the mini Wright meter.
    // The same data are samples/calibration/bland-altman-1986.csv.
    internal static readonly (double Wright, double Mini)[] Pefr =
    [
        (494, 512), (395, 430), (516, 520), (434, 428), (476, 500), (557, 600), (413, 364), (442, 380), (650, 658),
        (433, 445), (417, 432), (656, 626), (267, 260), (478, 477), (178, 259), (423, 350), (427, 451),
    ];

    [Fact]
    public void Lancet_1986_peak_flow_data_give_the_published_mean_difference_and_limits()
    {
        // Published: mean difference −2.1 l/min, SD 38.8, limits of agreement (d̄ ± 2s) −79.7 to 75.5.
        var result = BlandAltman.Compute(Pefr, multiplier: 2)!;
        Assert.Equal(17, result.Pairs);
        Assert.Equal(-2.1, result.MeanDifference, 1);
        Assert.Equal(38.8, result.SdDifference!.Value, 1);
        Assert.Equal(-79.7, result.LowerLimit!.Value, 0.1);
        Assert.Equal(75.5, result.UpperLimit!.Value, 0.1);
    }

    [Fact]
    public void Lancet_1986_precision_of_the_bias_and_limits_follows_the_t_based_standard_errors()
    {
        // Hand computation with the paper's formulas: t(0.975, 16) = 2.120; se(d̄) = 38.77/√17 = 9.40,
        // so d̄'s CI is −2.12 ± 19.93 = [−22.05, 17.81]; se(limit) = √(3·38.77²/17) = 16.28, so ±34.52:
        // lower limit [−114.17, −45.13], upper [40.89, 109.93] (the paper, from rounded inputs: −114.3 to −45.1, 41.0 to 110.0).
        var result = BlandAltman.Compute(Pefr, multiplier: 2)!;
        Assert.Equal(-22.05, result.MeanDifferenceCi95!.Value.Lower, 0.01);
        Assert.Equal(17.81, result.MeanDifferenceCi95!.Value.Upper, 0.01);
        Assert.Equal(-114.17, result.LowerLimitCi95!.Value.Lower, 0.01);
        Assert.Equal(-45.13, result.LowerLimitCi95!.Value.Upper, 0.01);
        Assert.Equal(40.89, result.UpperLimitCi95!.Value.Lower, 0.01);
        Assert.Equal(109.93, result.UpperLimitCi95!.Value.Upper, 0.01);
    }

    [Fact]
    public void Default_limits_use_1_96_standard_deviations()
    {
        var result = BlandAltman.Compute(Pefr)!;
        Assert.Equal(result.MeanDifference - 1.959964 * result.SdDifference!.Value, result.LowerLimit!.Value, 4);
    }

    [Fact]
    public void A_single_pair_has_a_mean_difference_but_no_limits()
    {
        var result = BlandAltman.Compute([(90, 85)])!;
        Assert.Equal(5, result.MeanDifference);
        Assert.Null(result.SdDifference);
        Assert.Null(result.LowerLimit);
        Assert.Null(result.MeanDifferenceCi95);
    }
}
