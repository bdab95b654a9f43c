using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Storage;

namespace QaPipeline.Centre;

/// <summary>
/// Settings an admin changes while the centre runs (the web app's admin page writes them to <c>web_settings</c>):
/// the review flags' sampling rate and score threshold and the active rubric file, which the pipeline's stages use,
/// plus settings only the web app or a job reads (dispute window, recording retention). Every node applies them to
/// its live <see cref="PipelineOptions"/> as it starts and again every <see cref="PipelineOptions.SettingsRefresh"/>,
/// so a change made on the web node reaches worker-only nodes without a restart.
/// </summary>
public sealed class CentreSettings(SettingsRepository settings, PipelineOptions options, AuditLog audit, TimeProvider clock, ILogger<CentreSettings> log) : BackgroundService
{
    public const string SampleRate = "review.sample_rate";
    public const string ScoreThreshold = "review.score_threshold";
    public const string ActiveRubric = "rubric.active";
    /// <summary>Days a recording is kept (the pipeline's retention job reads it).</summary>
    public const string RetentionDays = "retention.days";
    public const int DefaultRetentionDays = 365;

    /// <summary>The stored retention setting as days; the default when unset or not a positive whole number.</summary>
    public static int RetentionDaysOf(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1 ? days : DefaultRetentionDays;

    public const string ScheduledRubric = "rubric.scheduled";

    private string? _missingRubricReported;

    // A refresh reads every setting and then applies them; a Set landing between the read and the apply would be
    // overwritten by the value read before it (a rubric published on this node switched back for up to 30 s).
    // Reading-and-applying and writing-and-applying take turns.
    private readonly SemaphoreSlim _applying = new(1, 1);

    public Task<IReadOnlyDictionary<string, string>> All(CancellationToken ct = default) => settings.All(ct);

    public Task<string?> Get(string key, CancellationToken ct = default) => settings.Get(key, ct);

    /// <summary>Stores a setting (audited) and applies it on this node at once; other nodes follow at their next refresh.</summary>
    public async Task Set(string key, string value, string by, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await _applying.WaitAsync(ct);
        try
        {
            await settings.Set(key, value, by, now, ct);
            Apply(key, value);
        }
        finally { _applying.Release(); }
        await audit.Write(by, "setting", "setting", key, value, now, ct);
    }

    /// <summary>Puts every stored setting into the live options.</summary>
    public async Task ApplyAll(CancellationToken ct = default)
    {
        await _applying.WaitAsync(ct);
        try
        {
            foreach (var (key, value) in await All(ct)) Apply(key, value);
        }
        finally { _applying.Release(); }
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
                if (options.RubricPath != value) log.LogInformation("active rubric is now {Rubric}", value);
                options.RubricPath = value;
                break;
            case ScheduledRubric:
                options.ScheduledRubric = RubricSchedule.Parse(value);
                break;
            case ActiveRubric when _missingRubricReported != value:
                // A node whose rubric folder differs keeps scoring with what it has, and says so once.
                _missingRubricReported = value;
                log.LogWarning("active rubric {Rubric} is not on this node; still scoring with {Current}", value, options.RubricPath);
                break;
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the Hangfire server (registered after this service) takes its first job.
        await Refresh(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(options.SettingsRefresh, stoppingToken); }
            catch (OperationCanceledException) { return; }
            await Refresh(stoppingToken);
        }
    }

    private async Task Refresh(CancellationToken ct)
    {
        try
        {
            await ApplyAll(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database may be down (the stages ride that out on their own): keep the settings in force.
            log.LogWarning("reading the centre's settings failed, keeping the current ones: {Error}", e.Message);
        }
    }
}
