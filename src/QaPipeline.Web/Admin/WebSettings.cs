using System.Globalization;
using Dapper;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Storage;

namespace QaPipeline.Web;

/// <summary>
/// Settings an admin changes while the centre runs, kept in <c>web_settings</c>: the sampling rate and score
/// threshold of the review flags (applied to the pipeline's live <see cref="ReviewFlagOptions"/>, so the next
/// flagged call uses them), the agents' dispute window, recording retention, and the active rubric file.
/// </summary>
public sealed class WebSettings(Database db, PipelineOptions options, AuditLog audit)
{
    public const string SampleRate = "review.sample_rate";
    public const string ScoreThreshold = "review.score_threshold";
    public const string DisputeWindow = "disputes.window_days";
    public const string RetentionDays = RecordingRetention.SettingKey;
    public const string ActiveRubric = "rubric.active";

    public async Task<IReadOnlyDictionary<string, string>> All(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string Key, string Value)>("SELECT " + KeyColumn + ", value FROM web_settings"), ct))
        .ToDictionary(r => r.Key, r => r.Value);

    private string KeyColumn => db.Engine == DatabaseEngine.SqlServer ? "[key]" : "key";

    public async Task<int> DisputeWindowDays(CancellationToken ct = default) =>
        (await All(ct)).TryGetValue(DisputeWindow, out var v) && int.TryParse(v, out var d) ? d : 7;

    public async Task<int> Retention(CancellationToken ct = default) =>
        RecordingRetention.ParseDays((await All(ct)).GetValueOrDefault(RetentionDays));

    public async Task Set(string key, string value, string by, CancellationToken ct = default)
    {
        var k = KeyColumn;
        await db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync($"DELETE FROM web_settings WHERE {k} = @key", new { key }, tx);
            await c.ExecuteAsync($"INSERT INTO web_settings ({k}, value, updated_by, updated_at) VALUES (@key, @value, @by, @now)",
                new { key, value, by, now = DateTime.UtcNow }, tx);
            return 0;
        }, ct);
        await audit.Write(by, "setting", "setting", key, value, DateTime.UtcNow, ct);
        Apply(key, value);
    }

    /// <summary>Puts stored settings into the live options (on start, and after each change).</summary>
    public async Task ApplyAll(CancellationToken ct = default)
    {
        foreach (var (key, value) in await All(ct)) Apply(key, value);
    }

    private void Apply(string key, string value)
    {
        switch (key)
        {
            case SampleRate when double.TryParse(value, CultureInfo.InvariantCulture, out var rate):
                options.Review.SampleRate = rate;
                break;
            case ScoreThreshold when double.TryParse(value, CultureInfo.InvariantCulture, out var threshold):
                options.Review.ScoreThreshold = threshold;
                break;
            case ActiveRubric when File.Exists(value):
                options.RubricPath = value;
                break;
        }
    }
}
