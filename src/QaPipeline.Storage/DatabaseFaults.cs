using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;

namespace QaPipeline.Storage;

/// <summary>
/// The resilience policy for database outages, beside the connections it protects. Only faults that go away by
/// themselves are retried (a server restarting or failing over, SQLite busy); a constraint violation or a bad
/// statement is a bug or bad input and surfaces at once.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>
    /// Exponential back-off capped at 5 s over about a minute, long enough to ride out a PostgreSQL restart or
    /// fail-over (the fault tests stop it for 20 s) without parking calls.
    /// </summary>
    public static ResiliencePipeline Retry(int maxRetryAttempts = 14) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = maxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    public static bool IsTransient(Exception e) => e switch
    {
        NpgsqlException n => n.IsTransient || n is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" or "08006" or "08001" },
        SqlException s => s.Number is -2 or 53 or 121 or 233 or 1205 or 4060 or 10053 or 10054 or 10060 or 40197 or 40501 or 40613 or 49918 or 49919 or 49920,
        SqliteException q => q.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        SocketException or TimeoutException => true,
        // Hangfire wraps storage faults (BackgroundJobClientException); Npgsql wraps socket errors.
        { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}
