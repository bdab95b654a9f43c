namespace QaPipeline.Calibration.Reports;

/// <summary>One rater's verdict on one rubric item of one call ("pass", "fail", "na").</summary>
public sealed record ItemRating(string CallId, string ItemId, string Rater, string Verdict);

/// <summary>The verdict the calibration meeting agreed on for one item of one call.</summary>
public sealed record AgreedVerdict(string CallId, string ItemId, string Verdict);

/// <summary>One rater's total score for one call (0–100 on the default rubric).</summary>
public sealed record CallTotal(string CallId, string Rater, double Score);

/// <summary>
/// A calibration meeting (监控校准会议): the same calls scored independently by several monitors and by the
/// automatic scorer, then discussed until an agreed verdict per item is reached. The automatic scorer takes part
/// as one more rater, named <see cref="AutomaticRater"/>.
/// </summary>
public sealed record CalibrationSession(
    string Id,
    DateOnly HeldOn,
    IReadOnlyList<ItemRating> Ratings,
    IReadOnlyList<AgreedVerdict> Agreed,
    IReadOnlyList<CallTotal> Totals,
    string AutomaticRater = CalibrationSession.DefaultAutomaticRater)
{
    public const string DefaultAutomaticRater = "auto";
}
