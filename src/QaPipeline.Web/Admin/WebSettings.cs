using QaPipeline.Centre;

namespace QaPipeline.Web;

/// <summary>
/// The admin page's view of the centre's settings (<see cref="CentreSettings"/>, shared with every pipeline node):
/// the review flags' sampling rate and score threshold, the active rubric file, the agents' dispute window and
/// recording retention.
/// </summary>
public sealed class WebSettings(CentreSettings centre)
{
    public const string SampleRate = CentreSettings.SampleRate;
    public const string ScoreThreshold = CentreSettings.ScoreThreshold;
    public const string DisputeWindow = "disputes.window_days";
    public const string RetentionDays = CentreSettings.RetentionDays;
    public const string ActiveRubric = CentreSettings.ActiveRubric;
    public const string TimeZone = "centre.time_zone";

    /// <summary>The centre's time zone (an IANA id such as Asia/Shanghai), in which pages show times and read dates
    /// typed in; UTC until an admin sets one.</summary>
    public async Task<TimeZoneInfo> CentreTimeZone(CancellationToken ct = default) =>
        Zone(await centre.Get(TimeZone, ct)) ?? TimeZoneInfo.Utc;

    /// <summary>The zone of an id, or null for an empty or unknown one.</summary>
    public static TimeZoneInfo? Zone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;

    /// <summary>A stored (UTC) time as the centre's clock shows it, with its offset, e.g. "2026-03-20 17:00 (UTC+08:00)".</summary>
    public static string Local(DateTime? utc, TimeZoneInfo zone)
    {
        if (utc is not { } t) return "";
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), zone);
        var offset = zone.GetUtcOffset(local);
        return $"{local:yyyy-MM-dd HH:mm} (UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm})";
    }

    /// <summary>Midnight of a calendar day in the centre's zone, as UTC (a date typed into a form).</summary>
    public static DateTime StartOfDay(DateTime day, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(day.Date, DateTimeKind.Unspecified), zone);

    public async Task<int> DisputeWindowDays(CancellationToken ct = default) =>
        int.TryParse(await centre.Get(DisputeWindow, ct), out var d) ? d : 7;

    /// <summary>The pass mark (percent of the maximum) for scorecards whose rubric is no longer in the rubric folder:
    /// the admin's score threshold, 80 unless set. Dashboards otherwise use each rubric's own pass score.</summary>
    public async Task<double> PassPercentFallback(CancellationToken ct = default) =>
        double.TryParse(await centre.Get(ScoreThreshold, ct), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p)
        && p is >= 0 and <= 100 ? p : 80;

    public async Task<int> Retention(CancellationToken ct = default) =>
        CentreSettings.RetentionDaysOf(await centre.Get(RetentionDays, ct));

    public Task Set(string key, string value, string by, CancellationToken ct = default) => centre.Set(key, value, by, ct);
}
