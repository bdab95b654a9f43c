using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Centre.Exports;
using QaPipeline.Centre.Recordings;
using QaPipeline.Centre.Review;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Pipeline.Flags;
using QaPipeline.Pipeline.Ingest;
using OpenTelemetry.Metrics;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Review;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// The pipeline's services, next to the code they wire: <c>qa serve</c> = AddPipeline(workers: true) + MapPipeline
/// (<see cref="PipelineEndpoints"/>), <c>qa worker</c> = AddPipeline(workers: true) on a plain host; the web app adds its
/// pages beside them. Hangfire's storage per engine is <see cref="HangfireStorage"/>; who may call the endpoints,
/// <see cref="QaPipeline.Centre.Access.CallerAccess"/>.
/// </summary>
public static class PipelineHosting
{
    public static IServiceCollection AddPipeline(this IServiceCollection services, PipelineOptions options, bool workers)
    {
        // The schema is brought up to date when the host starts (DatabaseMigration, the first hosted service), never
        // while services are being registered.
        services.AddSingleton(new Database(options.Engine, options.ConnectionString));
        services.AddHostedService<DatabaseMigration>();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CallRepository>();
        services.AddSingleton<ResultRepository>();
        services.AddSingleton<ScorecardExportRepository>();
        services.AddSingleton<CallReasonRepository>();
        services.AddSingleton<RubricVersionRepository>();
        services.AddSingleton<ScorecardExport>();
        services.AddSingleton<ReviewFlagRepository>();
        services.AddSingleton<ReviewHistoryRepository>();
        services.AddSingleton<ReviewHistory>();
        services.AddSingleton<SettingsRepository>();
        // The people-facing tables (reviews, disputes, calibration, people, library, reports) are the web app's to use,
        // but every repository of the one database is registered here, beside the connection.
        services.AddSingleton<ReviewRepository>();
        services.AddSingleton<DisputeRepository>();
        services.AddSingleton<CalibrationRepository>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<LibraryRepository>();
        services.AddSingleton<ReportRepository>();
        services.AddSingleton<ReviewQueueRepository>();
        services.AddSingleton(options.Learning);
        services.AddSingleton(new QaPipeline.Learning.Ranking.ReviewPriority(options.ReviewModelFolder, options.Learning));
        services.AddTransient<ReviewModelTraining>();
        services.AddTransient<RecordingRetention>();
        services.AddSingleton<CentreSettings>();
        // The admin's live settings reach code through IOptionsMonitor: CentreSettings signals a change, LiveSettingsSetup
        // builds the options from the start-up ones and the stored settings.
        services.AddOptions();
        services.AddSingleton<IOptionsChangeTokenSource<ReviewFlagOptions>>(sp => sp.GetRequiredService<CentreSettings>());
        services.AddSingleton<IOptionsChangeTokenSource<RubricSelection>>(sp => sp.GetRequiredService<CentreSettings>());
        services.AddSingleton<LiveSettingsSetup>();
        services.AddSingleton<IConfigureOptions<ReviewFlagOptions>>(sp => sp.GetRequiredService<LiveSettingsSetup>());
        services.AddSingleton<IConfigureOptions<RubricSelection>>(sp => sp.GetRequiredService<LiveSettingsSetup>());
        // Every node, web or worker, keeps the admin's settings in force (first, so before any job runs).
        services.AddHostedService(sp => sp.GetRequiredService<CentreSettings>());
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new RecordingStore(options.StorePath, options.MaxUploadBytes, options.StoreMinFreeBytes));
        services.AddSingleton<RubricLibrary>();
        services.AddSingleton<CallIngestor>();
        services.AddSingleton(sp => new ReviewFlagPolicy(sp.GetRequiredService<IOptionsMonitor<ReviewFlagOptions>>()));
        services.AddSingleton<ModelDisagreementFlag>();
        if (options.AnalyzeCommand is { Length: > 0 } analyzer)
            services.TryAddSingleton<IAcousticAnalysis>(new ToolAcousticAnalysis(new StageTool(analyzer, options.AnalyzeTimeout, "QA_ANALYZE command")));
        else
            services.TryAddSingleton<IAcousticAnalysis>(_ => new AudioLibraryAnalysis(new QaPipeline.Audio.Decoding.AudioDecoderOptions
            {
                FfmpegPath = options.FfmpegPath, FfprobePath = options.FfprobePath, StallTimeout = options.FfmpegStallTimeout,
                ProbeTimeout = options.FfmpegStallTimeout,
            }, options.VadModel, options.SpeakerModel is null ? null : new QaPipeline.Audio.Separation.SpeakerSeparationOptions
            {
                EmbeddingModelPath = options.SpeakerModel,
                MaxVoiceSimilarity = options.SpeakerMaxSimilarity ?? new QaPipeline.Audio.Separation.SpeakerSeparationOptions().MaxVoiceSimilarity,
            }));
        services.TryAddSingleton<ISpeechToText>(new ToolSpeechToText(
            new StageTool(options.TranscribeCommand ?? StageTool.SelfCommand("transcribe", "{audio}", "--model", "{model}"), options.TranscribeTimeout, "qa transcribe"),
            options.WhisperModel));
        services.TryAddSingleton<IRubricScoring, ScoringCoreAdapter>();
        services.AddTransient<CallStages>();
        services.AddTransient<RubricImpactPreview>();
        services.AddTransient<IRubricImpactPreview>(sp => sp.GetRequiredService<RubricImpactPreview>());
        // SQLite's queue lives in memory, one per host and held by this host's services. Hangfire otherwise hands out its
        // process-wide JobStorage.Current when first asked: a second host in the process (the web tests run several apps
        // side by side) then enqueued into the other's queue, and failed once that host was disposed with it.
        Lazy<JobStorage>? memoryQueue = options.Engine == DatabaseEngine.Sqlite ? new(() => new Hangfire.InMemory.InMemoryStorage()) : null;
        services.AddHangfire((sp, cfg) =>
        {
            cfg.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>()));
            HangfireStorage.Use(cfg, options, memoryQueue?.Value);
        });
        if (memoryQueue is not null) services.AddSingleton<JobStorage>(_ => memoryQueue.Value); // disposed with this host only
        services.AddSingleton<QueueSweeper>();
        services.AddSingleton<IQueueWake>(sp => sp.GetRequiredService<QueueSweeper>());
        services.AddMetrics(); // IMeterFactory for PipelineMetrics: a host registers it, a bare ServiceCollection (demo seed, CLI) does not
        services.AddSingleton<PipelineMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(PipelineMetrics.MeterName).AddPrometheusExporter();
            if (options.MetricsPort is { } port)
                metrics.AddPrometheusHttpListener(l => (l.Host, l.Port) = (options.MetricsHost, port));
        });
        if (workers)
        {
            services.AddHostedService(sp => sp.GetRequiredService<QueueSweeper>());
            services.AddHangfireServer(o =>
            {
                o.Queues = StageQueues.ForRoles(options.Queues);
                o.WorkerCount = options.WorkerCount;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
            services.AddHostedService<RecurringJobSchedules>();
            if (!string.IsNullOrEmpty(options.WatchFolder))
                services.AddHostedService(sp => new WatchFolderIngestion(options.WatchFolder, sp.GetRequiredService<CallIngestor>(),
                    sp.GetRequiredService<QueueSweeper>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WatchFolderIngestion>>()));
        }
        return services;
    }
}

/// <summary>Registers the recurring Hangfire jobs once the job storage is up: review-priority retraining and recording
/// retention. AddOrUpdate by id, so every node registering them leaves one schedule; a job switched "off" is removed.</summary>
internal sealed class RecurringJobSchedules(IRecurringJobManager jobs, PipelineOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.ReviewModelSchedule is { } retrain)
            jobs.AddOrUpdate<ReviewModelTraining>(ReviewModelTraining.JobId, j => j.Run(CancellationToken.None), retrain);
        else jobs.RemoveIfExists(ReviewModelTraining.JobId);
        if (options.RetentionSchedule is { } retention)
            jobs.AddOrUpdate<RecordingRetention>(RecordingRetention.JobId, j => j.Run(CancellationToken.None), retention);
        else jobs.RemoveIfExists(RecordingRetention.JobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
