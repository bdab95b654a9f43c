using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Review;

namespace QaPipeline.Pipeline.Flags;

public sealed record ReviewFlag(FlagReason Reason, string Detail);

/// <summary>What the flag policy looks at for one scored call.</summary>
public sealed record FlagInput(
    double Score,
    double MaxScore,
    bool Fatal,
    IReadOnlyList<string> ReviewItemIds,
    double? MinAsrConfidence,
    string? AgentId,
    DateTime CallTime,
    string ContentHash,
    long AgentFlaggedCallsInPeriod);

/// <summary>
/// Decides the review flags of a scored call. Pure and deterministic: the random sample is drawn by hashing
/// (seed, agent, period, recording hash), so re-running the flag stage, or a rescore, draws the same calls,
/// and each agent's share converges to the sample rate (抽样比例, seed 004 ch. 7.1.4).
/// </summary>
public sealed class ReviewFlagPolicy
{
    private readonly Func<ReviewFlagOptions> _current;

    /// <summary>The policy with the admin's settings in force at each decision.</summary>
    public ReviewFlagPolicy(IOptionsMonitor<ReviewFlagOptions> live) => _current = () => live.CurrentValue;

    /// <summary>The policy with fixed settings.</summary>
    public ReviewFlagPolicy(ReviewFlagOptions options) => _current = () => options;


    public IReadOnlyList<ReviewFlag> Decide(FlagInput call)
    {
        var options = _current();
        var flags = new List<ReviewFlag>();
        if (call.Fatal)
            flags.Add(new(FlagReason.Fatal, "a fatal item failed"));
        if (call.ReviewItemIds.Count > 0)
            flags.Add(new(FlagReason.ReviewItem, string.Join(",", call.ReviewItemIds)));
        var percent = call.MaxScore > 0 ? 100 * call.Score / call.MaxScore : 0;
        if (percent < options.ScoreThreshold)
            flags.Add(new(FlagReason.LowScore, $"{percent.ToString("0.#", CultureInfo.InvariantCulture)} < {options.ScoreThreshold.ToString(CultureInfo.InvariantCulture)}"));
        if (call.MinAsrConfidence is { } c && c < options.MinAsrConfidence)
            flags.Add(new(FlagReason.LowAsrConfidence, $"lowest segment confidence {c.ToString("0.00", CultureInfo.InvariantCulture)}"));
        if (flags.Count == 0 && call.AgentId is { Length: > 0 } agent)
        {
            var period = PeriodKey(call.CallTime);
            if (call.AgentFlaggedCallsInPeriod < options.MinimumPerAgent)
                flags.Add(new(FlagReason.RandomSample, $"minimum {options.MinimumPerAgent} per agent per {options.Period.ToString().ToLowerInvariant()} ({period})"));
            else if (SampleDraw(agent, period, call.ContentHash) < options.SampleRate)
                flags.Add(new(FlagReason.RandomSample, $"sampled at {options.SampleRate.ToString(CultureInfo.InvariantCulture)} ({period})"));
        }
        return flags;
    }

    /// <summary>The sampling period a call falls in: 2026-03-02, 2026-W10, 2026-03.</summary>
    public string PeriodKey(DateTime at) => _current().Period switch
    {
        SamplePeriod.Day => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        SamplePeriod.Week => $"{ISOWeek.GetYear(at)}-W{ISOWeek.GetWeekOfYear(at):00}",
        _ => at.ToString("yyyy-MM", CultureInfo.InvariantCulture),
    };

    /// <summary>(start, end) of the period containing <paramref name="at"/>, UTC.</summary>
    public (DateTime From, DateTime To) PeriodBounds(DateTime at)
    {
        var day = DateTime.SpecifyKind(at.Date, DateTimeKind.Utc);
        return _current().Period switch
        {
            SamplePeriod.Day => (day, day.AddDays(1)),
            SamplePeriod.Week => (day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), day.AddDays(7 - (((int)day.DayOfWeek + 6) % 7))),
            _ => (new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1)),
        };
    }

    /// <summary>A uniform number in [0, 1) fixed by the inputs.</summary>
    public double SampleDraw(string agentId, string period, string contentHash)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{_current().Seed}\n{agentId}\n{period}\n{contentHash}"));
        return (BitConverter.ToUInt64(bytes, 0) >> 11) / (double)(1UL << 53);
    }
}
