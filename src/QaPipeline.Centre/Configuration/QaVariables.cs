using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QaPipeline.Storage;

namespace QaPipeline.Centre.Configuration;

/// <summary>
/// Every <c>QA_*</c> variable an operator sets (the table in docs/pipeline.md), bound from configuration by the
/// configuration binder under its own name and checked by <see cref="QaVariablesValidator"/> before a command or host
/// does anything. This is the one place a variable is named; <see cref="ApplyTo"/> turns them into the
/// <see cref="PipelineOptions"/> the services use. Units are the variables' own (seconds, milliseconds, bytes).
/// </summary>
public sealed class QaVariables
{
    [ConfigurationKeyName("QA_DB")] public string? Db { get; set; }
    [ConfigurationKeyName("QA_DB_CONNECTION")] public string? DbConnection { get; set; }
    [ConfigurationKeyName("QA_DATA")] public string? Data { get; set; }
    [ConfigurationKeyName("QA_STORE")] public string? Store { get; set; }
    [ConfigurationKeyName("QA_RUBRIC")] public string? Rubric { get; set; }
    [ConfigurationKeyName("QA_MODEL")] public string? Model { get; set; }
    [ConfigurationKeyName("QA_VAD_MODEL")] public string? VadModel { get; set; }
    /// <summary>A speaker-embedding ONNX model for separating mono calls (unset: the built-in cepstral separator).</summary>
    [ConfigurationKeyName("QA_SPEAKER_MODEL")] public string? SpeakerModel { get; set; }
    /// <summary>With QA_SPEAKER_MODEL: the cosine similarity of two voices' centroids above which a call has one speaker.</summary>
    [ConfigurationKeyName("QA_SPEAKER_MAX_SIMILARITY")] public double? SpeakerMaxSimilarity { get; set; }
    [ConfigurationKeyName("QA_WATCH")] public string? Watch { get; set; }
    [ConfigurationKeyName("QA_QUEUES")] public string? Queues { get; set; }
    [ConfigurationKeyName("QA_WORKERS")] public int? Workers { get; set; }
    [ConfigurationKeyName("QA_MAX_UPLOAD_BYTES")] public long? MaxUploadBytes { get; set; }
    [ConfigurationKeyName("QA_STORE_MIN_FREE_BYTES")] public long? StoreMinFreeBytes { get; set; }
    /// <summary><c>off</c>, or an external analyser's argv with <c>{audio}</c>.</summary>
    [ConfigurationKeyName("QA_ANALYZE")] public string? Analyze { get; set; }
    [ConfigurationKeyName("QA_TRANSCRIBE")] public string? Transcribe { get; set; }
    [ConfigurationKeyName("QA_FFMPEG")] public string? Ffmpeg { get; set; }
    [ConfigurationKeyName("QA_FFPROBE")] public string? Ffprobe { get; set; }
    [ConfigurationKeyName("QA_FFMPEG_STALL_S")] public int? FfmpegStallSeconds { get; set; }
    [ConfigurationKeyName("QA_STALL_TIMEOUT_S")] public int? StallTimeoutSeconds { get; set; }
    [ConfigurationKeyName("QA_TOOL_TIMEOUT_S")] public int? ToolTimeoutSeconds { get; set; }
    [ConfigurationKeyName("QA_INVISIBILITY_TIMEOUT_S")] public int? InvisibilityTimeoutSeconds { get; set; }
    [ConfigurationKeyName("QA_ADMISSION_WINDOW")] public int? AdmissionWindow { get; set; }
    [ConfigurationKeyName("QA_METRICS_PORT")] public int? MetricsPort { get; set; }
    [ConfigurationKeyName("QA_METRICS_HOST")] public string? MetricsHost { get; set; }
    [ConfigurationKeyName("QA_SWEEP_MS")] public int? SweepMilliseconds { get; set; }
    [ConfigurationKeyName("QA_REVIEW_MODELS")] public string? ReviewModels { get; set; }
    [ConfigurationKeyName("QA_REVIEW_MODEL_CRON")] public string? ReviewModelCron { get; set; }
    [ConfigurationKeyName("QA_REVIEW_MODEL_MIN_REVIEWS")] public int? ReviewModelMinReviews { get; set; }
    [ConfigurationKeyName("QA_SETTINGS_REFRESH_S")] public int? SettingsRefreshSeconds { get; set; }
    [ConfigurationKeyName("QA_RETENTION_CRON")] public string? RetentionCron { get; set; }
    [ConfigurationKeyName("QA_ADMIN_PASSWORD")] public string? AdminPassword { get; set; }
    [ConfigurationKeyName("QA_API_KEY")] public string? ApiKey { get; set; }
    [ConfigurationKeyName("QA_SCORE_THRESHOLD")] public double? ScoreThreshold { get; set; }
    [ConfigurationKeyName("QA_SAMPLE_RATE")] public double? SampleRate { get; set; }
    /// <summary>The shared data folder of a checkout (corpora, speech clips, models) for the CLI's own commands.</summary>
    [ConfigurationKeyName("QA_SHARED_DIR")] public string? SharedDir { get; set; }
    /// <summary>Whisper.net's runtime order (e.g. <c>Cuda12,Cpu</c>).</summary>
    [ConfigurationKeyName("QA_WHISPER_RUNTIMES")] public string? WhisperRuntimes { get; set; }

    /// <summary>The engine QA_DB names (sqlite when unset).</summary>
    public DatabaseEngine Engine => Database.ParseEngine(Db);

    /// <summary>The operator's variables as the services' options (defaults where a variable is unset).</summary>
    public void ApplyTo(PipelineOptions o)
    {
        var data = Given(Data) ?? "data";
        o.Engine = Engine;
        // The validator has refused a server engine without a connection string.
        o.ConnectionString = Given(DbConnection) ?? Path.Combine(data, "qa.db");
        o.StorePath = Given(Store) ?? Path.Combine(data, "store");
        o.RubricPath = Given(Rubric) ?? o.RubricPath;
        o.WhisperModel = Given(Model);
        o.WatchFolder = Given(Watch);
        if (Given(Queues) is { } queues) o.Queues = queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        o.WorkerCount = Workers ?? o.WorkerCount;
        o.MaxUploadBytes = MaxUploadBytes ?? o.MaxUploadBytes;
        o.StoreMinFreeBytes = StoreMinFreeBytes ?? o.StoreMinFreeBytes;
        if (Given(Analyze) is { } analyze)
        {
            if (analyze == "off") o.AnalyzeAudio = false;
            else o.AnalyzeCommand = analyze.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        o.FfmpegPath = Given(Ffmpeg) ?? o.FfmpegPath;
        o.FfprobePath = Given(Ffprobe) ?? o.FfprobePath;
        if (StallTimeoutSeconds is { } stalled) o.StallTimeout = TimeSpan.FromSeconds(stalled);
        if (FfmpegStallSeconds is { } stall) o.FfmpegStallTimeout = TimeSpan.FromSeconds(stall);
        o.VadModel = Given(VadModel);
        o.SpeakerModel = Given(SpeakerModel);
        o.SpeakerMaxSimilarity = SpeakerMaxSimilarity;
        if (Given(Transcribe) is { } transcribe) o.TranscribeCommand = transcribe.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ToolTimeoutSeconds is { } tool) o.AnalyzeTimeout = o.TranscribeTimeout = TimeSpan.FromSeconds(tool);
        if (InvisibilityTimeoutSeconds is { } invisible) o.InvisibilityTimeout = TimeSpan.FromSeconds(invisible);
        o.AdmissionWindow = AdmissionWindow ?? o.AdmissionWindow;
        o.MetricsPort = MetricsPort ?? o.MetricsPort;
        o.MetricsHost = Given(MetricsHost) ?? o.MetricsHost;
        if (SweepMilliseconds is { } sweep) o.SweepInterval = TimeSpan.FromMilliseconds(sweep);
        o.ReviewModelFolder = Given(ReviewModels) ?? Path.Combine(data, "models", "review-priority");
        if (Given(ReviewModelCron) is { } cron) o.ReviewModelSchedule = cron == "off" ? null : cron;
        if (SettingsRefreshSeconds is { } refresh) o.SettingsRefresh = TimeSpan.FromSeconds(refresh);
        if (Given(RetentionCron) is { } retention) o.RetentionSchedule = retention == "off" ? null : retention;
        if (ReviewModelMinReviews is { } min) o.Learning = o.Learning with { MinimumReviews = min };
        o.AdminPassword = Given(AdminPassword);
        o.ApiKey = Given(ApiKey);
        o.Review.ScoreThreshold = ScoreThreshold ?? o.Review.ScoreThreshold;
        o.Review.SampleRate = SampleRate ?? o.Review.SampleRate;
    }

    /// <summary>An empty variable counts as unset (<c>QA_WATCH=</c> turns the watch folder off).</summary>
    private static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The checks a bad variable fails at start, each a one-line message naming the variable.</summary>
public sealed class QaVariablesValidator : IValidateOptions<QaVariables>
{
    /// <summary>QA_API_KEY is the one secret a machine needs to upload (and, on a pipeline-only host, to operate), sent
    /// on every request: a short one is guessable, so a key shorter than this is refused at start.</summary>
    public const int MinimumApiKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, QaVariables v)
    {
        var failures = new List<string>();
        try
        {
            if (v.Engine != DatabaseEngine.Sqlite && string.IsNullOrEmpty(v.DbConnection))
                failures.Add($"QA_DB={v.Engine.ToString().ToLowerInvariant()} needs QA_DB_CONNECTION");
        }
        catch (ArgumentException e) { failures.Add(e.Message); }
        (string Variable, long? Value)[] counts =
        [
            ("QA_WORKERS", v.Workers), ("QA_MAX_UPLOAD_BYTES", v.MaxUploadBytes), ("QA_FFMPEG_STALL_S", v.FfmpegStallSeconds),
            ("QA_STALL_TIMEOUT_S", v.StallTimeoutSeconds), ("QA_TOOL_TIMEOUT_S", v.ToolTimeoutSeconds),
            ("QA_INVISIBILITY_TIMEOUT_S", v.InvisibilityTimeoutSeconds), ("QA_ADMISSION_WINDOW", v.AdmissionWindow),
            ("QA_METRICS_PORT", v.MetricsPort), ("QA_SWEEP_MS", v.SweepMilliseconds),
            ("QA_REVIEW_MODEL_MIN_REVIEWS", v.ReviewModelMinReviews), ("QA_SETTINGS_REFRESH_S", v.SettingsRefreshSeconds),
        ];
        foreach (var (variable, value) in counts)
            if (value is <= 0) failures.Add($"{variable} must be a positive whole number (got '{value}')");
        if (v.StoreMinFreeBytes is < 0) failures.Add($"QA_STORE_MIN_FREE_BYTES must be zero or more (got '{v.StoreMinFreeBytes}')");
        if (v.ScoreThreshold is { } threshold && (threshold < 0 || threshold > 100 || double.IsNaN(threshold)))
            failures.Add($"QA_SCORE_THRESHOLD must be a percentage from 0 to 100 (got '{Text(threshold)}')");
        if (v.SampleRate is { } rate && (rate < 0 || rate > 1 || double.IsNaN(rate)))
            failures.Add($"QA_SAMPLE_RATE must be a share from 0 to 1 (got '{Text(rate)}')");
        // Refused at start, not on the first mono call hours later.
        if (!string.IsNullOrEmpty(v.SpeakerModel) && !File.Exists(v.SpeakerModel))
            failures.Add($"QA_SPEAKER_MODEL: no such file '{v.SpeakerModel}' (a speaker-embedding ONNX model; leave it unset for the built-in separator)");
        if (v.SpeakerMaxSimilarity is { } similarity && !(similarity is >= -1 and <= 1))
            failures.Add($"QA_SPEAKER_MAX_SIMILARITY must be a cosine similarity from -1 to 1 (got '{Text(similarity)}')");
        // The key itself is never echoed: the message goes to logs and terminals.
        if (v.ApiKey is { Length: > 0 and < MinimumApiKeyLength } key)
            failures.Add($"QA_API_KEY must be at least {MinimumApiKeyLength} characters (got {key.Length}); use a long random secret, e.g. `openssl rand -hex 24`");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads the <c>QA_*</c> variables: the only code that looks at the process environment.</summary>
public static class QaConfiguration
{
    /// <summary>The process environment as configuration.</summary>
    public static IConfiguration Environment() => new ConfigurationBuilder().AddEnvironmentVariables().Build();

    /// <summary>Binds <see cref="QaVariables"/> from <paramref name="configuration"/>, validated when the host starts, and
    /// the <see cref="PipelineOptions"/> made from them.</summary>
    public static IServiceCollection AddQaVariables(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QaVariables>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QaVariables>, QaVariablesValidator>();
        services.AddOptions<PipelineOptions>().Configure<IOptions<QaVariables>>((options, variables) => variables.Value.ApplyTo(options));
        return services;
    }

    /// <summary>The variables of <paramref name="configuration"/>, checked; a bad one is an <see cref="ArgumentException"/>
    /// with one line naming it (the CLI prints it as <c>qa: …</c>).</summary>
    public static QaVariables Variables(IConfiguration configuration) =>
        Resolve<QaVariables>(configuration, sp => sp.GetRequiredService<IOptions<QaVariables>>().Value);

    /// <summary>The services' options from <paramref name="configuration"/>, checked like <see cref="Variables"/>.</summary>
    public static PipelineOptions Options(IConfiguration configuration) =>
        Resolve<PipelineOptions>(configuration, sp => sp.GetRequiredService<IOptions<PipelineOptions>>().Value);

    private static T Resolve<T>(IConfiguration configuration, Func<IServiceProvider, T> get)
    {
        using var services = new ServiceCollection().AddQaVariables(configuration).BuildServiceProvider();
        try
        {
            return get(services);
        }
        catch (OptionsValidationException e)
        {
            throw new ArgumentException(e.Failures.First());
        }
        catch (InvalidOperationException e) when (NotConverted(e, configuration) is { } message)
        {
            throw new ArgumentException(message);
        }
    }

    /// <summary>The binder's "Failed to convert configuration value at 'QA_WORKERS' to type 'System.Int32'" as the
    /// variable's own rule with the value given.</summary>
    private static string? NotConverted(InvalidOperationException e, IConfiguration configuration)
    {
        var property = typeof(QaVariables).GetProperties().FirstOrDefault(p =>
            p.GetCustomAttributes(typeof(ConfigurationKeyNameAttribute), false) is [ConfigurationKeyNameAttribute key]
            && e.Message.Contains($"'{key.Name}'", StringComparison.Ordinal));
        if (property is null) return null;
        var variable = ((ConfigurationKeyNameAttribute)property.GetCustomAttributes(typeof(ConfigurationKeyNameAttribute), false)[0]).Name;
        var kind = Nullable.GetUnderlyingType(property.PropertyType) == typeof(double) ? "a number" : "a positive whole number";
        return $"{variable} must be {kind} (got '{configuration[variable]}')";
    }
}
