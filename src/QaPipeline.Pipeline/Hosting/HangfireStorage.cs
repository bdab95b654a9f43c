using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.SqlServer;
using QaPipeline.Centre;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>Where Hangfire keeps its queues, per database engine (the product tables stay the source of truth).</summary>
internal static class HangfireStorage
{
    public static void Use(IGlobalConfiguration cfg, PipelineOptions options, JobStorage? memoryQueue)
    {
        switch (options.Engine)
        {
            case DatabaseEngine.Sqlite:
                // No SQLite storage for Hangfire here: the queue lives in memory and the product tables are the
                // source of truth (QueueSweeper re-enqueues every unfinished call on start).
                cfg.UseStorage(memoryQueue ?? throw new InvalidOperationException("an in-memory queue is needed for SQLite"));
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
    }
}
