using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using QaPipeline.Storage;

namespace QaPipeline.Centre;

/// <summary>The rubric files an admin has chosen while the centre runs, read through
/// <c>IOptionsMonitor&lt;RubricSelection&gt;</c>: the active file (QA_RUBRIC until an admin picks another) and a version
/// scheduled to apply from a date.</summary>
public sealed class RubricSelection
{
    /// <summary>The rubric file new calls are scored against.</summary>
    public string ActivePath { get; set; } = "scoring-rules/zh-CN.yaml";

    /// <summary>A rubric version published to apply from a date (centre setting <c>rubric.scheduled</c>): calls of its
    /// rubric id that started from <see cref="RubricSchedule.From"/> on are scored with it instead of the active file.</summary>
    public RubricSchedule? Scheduled { get; set; }
}

/// <summary>
/// Settings an admin changes while the centre runs (the web app's admin page writes them to <c>web_settings</c>):
/// the review flags' sampling rate and score threshold and the active rubric file, which the pipeline's stages use,
/// plus settings only the web app or a job reads (dispute window, recording retention). Every node reads them as it
/// starts and again every <see cref="PipelineOptions.SettingsRefresh"/>, so a change made on the web node reaches
/// worker-only nodes without a restart. Code reads them through <c>IOptionsMonitor&lt;ReviewFlagOptions&gt;</c> and
/// <c>IOptionsMonitor&lt;RubricSelection&gt;</c>: this class is their change source (a new stored value signals a change,
/// the monitor rebuilds the options from <see cref="Stored"/> through <see cref="LiveSettingsSetup"/>), never mutating
/// options in place.
/// </summary>
public sealed class CentreSettings(SettingsRepository settings, PipelineOptions options, AuditLog audit, TimeProvider clock, ILogger<CentreSettings> log)
    : BackgroundService, IOptionsChangeTokenSource<ReviewFlagOptions>, IOptionsChangeTokenSource<RubricSelection>
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

    private IReadOnlyDictionary<string, string> _stored = new Dictionary<string, string>();
    private CancellationTokenSource _changed = new();

    // A refresh reads every setting and then keeps them; a Set landing between the read and the keep would be
    // overwritten by the value read before it (a rubric published on this node switched back for up to 30 s).
    // Reading-and-keeping and writing-and-keeping take turns.
    private readonly SemaphoreSlim _applying = new(1, 1);

    /// <summary>The settings as last read on this node (empty before the first read: the start-up options apply).</summary>
    public IReadOnlyDictionary<string, string> Stored => Volatile.Read(ref _stored);

    string IOptionsChangeTokenSource<ReviewFlagOptions>.Name => Microsoft.Extensions.Options.Options.DefaultName;
    string IOptionsChangeTokenSource<RubricSelection>.Name => Microsoft.Extensions.Options.Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public Task<IReadOnlyDictionary<string, string>> All(CancellationToken ct = default) => settings.All(ct);

    public Task<string?> Get(string key, CancellationToken ct = default) => settings.Get(key, ct);

    /// <summary>Stores a setting (audited) and puts it in force on this node at once; other nodes follow at their next refresh.</summary>
    public async Task Set(string key, string value, string by, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await _applying.WaitAsync(ct);
        try
        {
            await settings.Set(key, value, by, now, ct);
            Keep(new Dictionary<string, string>(Stored) { [key] = value });
        }
        finally { _applying.Release(); }
        await audit.Write(by, "setting", "setting", key, value, now, ct);
    }

    /// <summary>Reads every stored setting and puts them in force on this node.</summary>
    public async Task ApplyAll(CancellationToken ct = default)
    {
        await _applying.WaitAsync(ct);
        try
        {
            Keep(await All(ct));
        }
        finally { _applying.Release(); }
    }

    /// <summary>Keeps the settings read and, when they differ from the last ones, tells the monitors.</summary>
    private void Keep(IReadOnlyDictionary<string, string> read)
    {
        var before = Stored;
        if (before.Count == read.Count && read.All(kv => before.TryGetValue(kv.Key, out var v) && v == kv.Value)) return;
        Volatile.Write(ref _stored, read);
        var changed = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        changed.Cancel();
        changed.Dispose();
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


/// <summary>
/// Builds the live options from the start-up ones (<see cref="PipelineOptions"/>, the QA_* variables) and the admin's
/// stored settings (<see cref="CentreSettings.Stored"/>); the options monitor runs it again when a setting changes.
/// A stored value that does not parse, or an active rubric file this node does not have, leaves the start-up value.
/// </summary>
public sealed class LiveSettingsSetup(PipelineOptions startup, CentreSettings centre, ILogger<LiveSettingsSetup> log)
    : IConfigureOptions<ReviewFlagOptions>, IConfigureOptions<RubricSelection>
{
    private string? _missingRubricReported;
    private string? _activeReported;

    public void Configure(ReviewFlagOptions live)
    {
        var review = startup.Review;
        (live.ScoreThreshold, live.MinAsrConfidence, live.SampleRate, live.MinimumPerAgent, live.Period, live.Seed) =
            (review.ScoreThreshold, review.MinAsrConfidence, review.SampleRate, review.MinimumPerAgent, review.Period, review.Seed);
        var stored = centre.Stored;
        if (stored.TryGetValue(CentreSettings.SampleRate, out var rate) && double.TryParse(rate, CultureInfo.InvariantCulture, out var r))
            live.SampleRate = r;
        if (stored.TryGetValue(CentreSettings.ScoreThreshold, out var threshold) && double.TryParse(threshold, CultureInfo.InvariantCulture, out var t))
            live.ScoreThreshold = t;
    }

    public void Configure(RubricSelection live)
    {
        live.ActivePath = startup.RubricPath;
        var stored = centre.Stored;
        if (stored.TryGetValue(CentreSettings.ActiveRubric, out var active) && active.Length > 0)
        {
            if (File.Exists(active))
            {
                if (_activeReported != active && active != startup.RubricPath) log.LogInformation("active rubric is now {Rubric}", active);
                _activeReported = active;
                live.ActivePath = active;
            }
            else if (_missingRubricReported != active)
            {
                // A node whose rubric folder differs keeps scoring with what it has, and says so once.
                _missingRubricReported = active;
                log.LogWarning("active rubric {Rubric} is not on this node; still scoring with {Current}", active, startup.RubricPath);
            }
        }
        live.Scheduled = stored.TryGetValue(CentreSettings.ScheduledRubric, out var scheduled) ? RubricSchedule.Parse(scheduled) : null;
    }
}
