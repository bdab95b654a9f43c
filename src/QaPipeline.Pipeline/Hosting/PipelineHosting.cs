using System.Net;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.SqlServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Review;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// The pipeline's wiring, next to the code it wires: <c>qa serve</c> = AddPipeline(workers: true) + MapPipeline,
/// <c>qa worker</c> = AddPipeline(workers: true) on a plain host, the web app adds its pages beside them.
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
        services.AddSingleton(options.Review);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CallRepository>();
        services.AddSingleton<ResultRepository>();
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
        // Every node, web or worker, keeps the admin's settings in force (first, so before any job runs).
        services.AddHostedService(sp => sp.GetRequiredService<CentreSettings>());
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new RecordingStore(options.StorePath, options.MaxUploadBytes, options.StoreMinFreeBytes));
        services.AddSingleton<CallIngestor>();
        services.AddSingleton<ReviewFlagPolicy>();
        services.AddSingleton<ModelDisagreementFlag>();
        if (options.AnalyzeCommand is { Length: > 0 } analyzer)
            services.TryAddSingleton<IAcousticAnalysis>(new ToolAcousticAnalysis(new StageTool(analyzer, options.AnalyzeTimeout, "QA_ANALYZE command")));
        else
            services.TryAddSingleton<IAcousticAnalysis>(_ => new AudioLibraryAnalysis(new QaPipeline.Audio.Decoding.AudioDecoderOptions
            {
                FfmpegPath = options.FfmpegPath, FfprobePath = options.FfprobePath, StallTimeout = options.FfmpegStallTimeout,
                ProbeTimeout = options.FfmpegStallTimeout,
            }, options.VadModel));
        services.TryAddSingleton<ISpeechToText>(new ToolSpeechToText(
            new StageTool(options.TranscribeCommand ?? StageTool.SelfCommand("transcribe", "{audio}", "--model", "{model}"), options.TranscribeTimeout, "qa transcribe"),
            options.WhisperModel));
        services.TryAddSingleton<IRubricScoring, ScoringCoreAdapter>();
        services.AddTransient<CallStages>();
        services.AddHangfire(cfg =>
        {
            cfg.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (options.Engine)
            {
                case DatabaseEngine.Sqlite:
                    // No SQLite storage for Hangfire here: the queue lives in memory and the product tables are the
                    // source of truth (QueueSweeper re-enqueues every unfinished call on start).
                    cfg.UseInMemoryStorage();
                    break;
                case DatabaseEngine.Postgres:
                    cfg.UsePostgreSqlStorage(c => c.UseNpgsqlConnection(options.ConnectionString), new PostgreSqlStorageOptions
                    {
                        SchemaName = "hangfire",
                        QueuePollInterval = TimeSpan.FromMilliseconds(500),
                        InvisibilityTimeout = options.InvisibilityTimeout,
                        // Hangfire's locks here are rows: a worker that took a job's state lock just as the database
                        // went down cannot delete its row, and every worker then waits on that job until the row is
                        // older than this timeout (10 minutes by default: with two workers the outage test saw the
                        // whole queue stall that long). The locks here are held for seconds (state changes, the
                        // schedulers, retraining), so one minute frees a dead lock without breaking a live one; a long
                        // retention run may outlive its lock, and a second copy of it only finds files already gone.
                        // SQL Server's locks are session locks, which die with their connection: nothing to set there.
                        DistributedLockTimeout = TimeSpan.FromMinutes(1),
                        PrepareSchemaIfNecessary = true,
                    });
                    break;
                case DatabaseEngine.SqlServer:
                    cfg.UseSqlServerStorage(options.ConnectionString, new SqlServerStorageOptions
                    {
                        SchemaName = "hangfire",
                        SlidingInvisibilityTimeout = options.InvisibilityTimeout,
                        QueuePollInterval = TimeSpan.Zero,
                        PrepareSchemaIfNecessary = true,
                    });
                    break;
            }
        });
        services.AddSingleton<QueueSweeper>();
        if (workers)
        {
            services.AddHostedService(sp => sp.GetRequiredService<QueueSweeper>());
            services.AddHangfireServer(o =>
            {
                o.Queues = options.Queues;
                o.WorkerCount = options.WorkerCount;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
            services.AddHostedService<RecurringJobSchedules>();
            if (!string.IsNullOrEmpty(options.WatchFolder))
                services.AddHostedService(sp => new WatchFolderIngestion(options.WatchFolder, sp.GetRequiredService<CallIngestor>(),
                    sp.GetRequiredService<QueueSweeper>(), sp.GetRequiredService<ILogger<WatchFolderIngestion>>()));
        }
        return services;
    }

    /// <summary>Upload and call-status API under /api, the Hangfire dashboard under /hangfire (admins only).</summary>
    public static IEndpointRouteBuilder MapPipeline(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<PipelineOptions>();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new AdminDashboardAuthorization(options)],
            DashboardTitle = "QaPipeline jobs",
        });
        var api = app.MapGroup("/api");
        api.MapPost("/calls", UploadEndpoint.Handle);
        api.MapGet("/calls", async (string? status, int? limit, CallRepository calls) =>
            Results.Json((await calls.List(status, Math.Clamp(limit ?? 100, 1, 1000))).Select(CallJson.Summary)));
        api.MapGet("/calls/{id:long}", async (long id, CallRepository calls, ResultRepository results, ReviewFlagRepository flags) =>
            await calls.Get(id) is { } call
                ? Results.Json(CallJson.Detail(call, await calls.Stages(id), await results.ScorecardHistory(id), await flags.ForCall(id)))
                : Results.NotFound(new { error = $"no call {id}" }));
        api.MapPost("/calls/{id:long}/retry", async (long id, HttpContext http, CallRepository calls, AuditLog audit, QueueSweeper sweeper) =>
        {
            if (!AdminAccess.IsAdmin(http, options)) return AdminAccess.Challenge(http);
            if (!await calls.Retry(id)) return Results.Conflict(new { error = $"call {id} is not parked as failed" });
            await audit.Write(http.User.Identity?.Name ?? "admin", "retry", "call", id.ToString(), null, DateTime.UtcNow);
            sweeper.Wake();
            return Results.Ok(new { call_id = id, status = CallStatus.Pending });
        });
        api.MapGet("/pipeline/status", async (CallRepository calls, ReviewFlagRepository flags) =>
            Results.Json(new
            {
                calls = await calls.CountByStatus(),
                review_flags = await flags.CountByReason(),
                stages = (await calls.StageTimings()).Select(s => new
                {
                    stage = s.Stage, state = s.State, calls = s.Calls, attempts = s.Attempts,
                    mean_ms = Math.Round(s.MeanMs ?? 0, 1), max_ms = s.MaxMs,
                }),
            }));
        return app;
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

/// <summary>
/// Who may use admin functions: a signed-in user in the "admin" role (the web app's login), HTTP Basic
/// "admin" with QA_ADMIN_PASSWORD, or — only while no password is set — a request from this machine's
/// loopback. Never anonymous from another host.
/// </summary>
public static class AdminAccess
{
    public static bool IsAdmin(HttpContext http, PipelineOptions options)
    {
        if (http.User.Identity?.IsAuthenticated == true && http.User.IsInRole("admin")) return true;
        if (options.AdminPassword is { Length: > 0 } password)
            return BasicPasswordMatches(http.Request.Headers.Authorization.ToString(), password);
        return IsLoopback(http);
    }

    public static bool IsLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip) && !http.Request.Headers.ContainsKey("X-Forwarded-For");

    public static IResult Challenge(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"qa admin\", charset=\"UTF-8\"";
        return Results.Json(new { error = "admin only: sign in as admin (QA_ADMIN_PASSWORD) or connect from the server itself" },
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static bool BasicPasswordMatches(string header, string password)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        var expected = Encoding.UTF8.GetBytes("admin:" + password);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), expected);
    }
}

public sealed class AdminDashboardAuthorization(PipelineOptions options) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (AdminAccess.IsAdmin(http, options)) return true;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"qa admin\", charset=\"UTF-8\"";
        return false;
    }
}
