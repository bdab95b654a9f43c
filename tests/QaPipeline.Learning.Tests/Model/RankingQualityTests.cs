using QaPipeline.Learning.Model;

namespace QaPipeline.Learning.Tests.Model;

public class RankingQualityTests
{
    [Fact]
    public void Auc_is_one_when_every_overturned_verdict_ranks_above_every_confirmed_one()
    {
        Assert.Equal(1.0, RankingQuality.Auc([0.9, 0.8, 0.2, 0.1], [true, true, false, false]));
        Assert.Equal(0.0, RankingQuality.Auc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
    }

    [Fact]
    public void Auc_counts_ties_as_half()
    {
        // One positive tied with one negative, above the other: (1 + 0.5) / 2 = 0.75.
        Assert.Equal(0.75, RankingQuality.Auc([0.5, 0.5, 0.1], [true, false, false]));
    }

    [Fact]
    public void Auc_is_undefined_with_one_outcome_only()
    {
        Assert.Null(RankingQuality.Auc([0.3, 0.2], [false, false]));
    }

    [Fact]
    public void Found_in_first_ten_percent_is_the_share_of_overturned_verdicts_in_the_top_tenth()
    {
        // 20 verdicts, top 10% = 2; 4 overturned in total, 1 of them in the top 2.
        var order = new bool[20];
        order[1] = order[5] = order[10] = order[19] = true;
        Assert.Equal(0.25, RankingQuality.FoundInFirst(order, 0.10));
        Assert.Equal(6.0 / 20, RankingQuality.DepthToFindHalf(order));
    }

    [Fact]
    public void Precision_at_daily_capacity_averages_each_days_top_k()
    {
        var d1 = new DateOnly(2026, 11, 2);
        var d2 = d1.AddDays(1);
        var verdicts = new List<(DateOnly, double, bool)>
        {
            (d1, 0.9, true), (d1, 0.8, false), (d1, 0.1, true),
            (d2, 0.7, true), (d2, 0.6, true), (d2, 0.5, false),
        };
        // Day 1 top 2: 1 of 2; day 2 top 2: 2 of 2; mean 0.75.
        Assert.Equal(0.75, RankingQuality.PrecisionAtDailyCapacity(verdicts, 2));
    }
}
