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
