using QaPipeline.Calibration.Agreement;

namespace QaPipeline.Calibration.Tests.Agreement;

public class DistributionsTests
{
    [Theory]
    // Printed F tables (upper 2.5% points): F(5, 18) = 3.38, F(20, 5) = 6.33, F(5, 15) = 3.58, F(15, 5) = 6.43.
    [InlineData(5, 18, 3.38)]
    [InlineData(20, 5, 6.33)]
    [InlineData(5, 15, 3.58)]
    [InlineData(15, 5, 6.43)]
    public void F_quantiles_match_printed_tables(double df1, double df2, double expected)
    {
        Assert.Equal(expected, Distributions.FQuantile(0.975, df1, df2), 2);
    }

    [Theory]
    // Printed t tables (two-sided 5%): t(16) = 2.120, t(1) = 12.706, t(30) = 2.042.
    [InlineData(16, 2.120)]
    [InlineData(1, 12.706)]
    [InlineData(30, 2.042)]
    public void T_quantiles_match_printed_tables(double df, double expected)
    {
        Assert.Equal(expected, Distributions.TQuantile(0.975, df), 3);
    }
}
