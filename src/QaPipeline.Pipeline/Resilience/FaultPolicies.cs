using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace QaPipeline.Pipeline.Resilience;

/// <summary>
/// One resilience pipeline per kind of fault. Only faults that go away by themselves are retried
/// (a database restarting, a file briefly locked, a hung decoder); bugs and bad input are not, so they
/// surface at once and park the call with their reason.
/// </summary>
public static class FaultPolicies
{
    /// <summary>
    /// Database outages: exponential back-off capped at 5 s over about a minute, long enough to ride out
    /// a PostgreSQL restart or fail-over (the fault tests stop it for 20 s) without parking calls.
    /// </summary>
    public static ResiliencePipeline Database(int maxRetryAttempts = 14) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransientDatabaseFault),
            MaxRetryAttempts = maxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    /// <summary>Recording-store I/O: a sharing violation or a flaky network mount, retried briefly.
    /// A full disk or a missing file is not transient and is not retried.</summary>
    public static ResiliencePipeline FileStore() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<IOException>(IsTransientFileFault),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(100),
        })
        .Build();

    /// <summary>External tools (ffmpeg, whisper.cpp via the stage commands): each attempt gets a time limit
    /// so a hung decoder is killed; a hang or crash is tried again once, then the call is parked.</summary>
    public static ResiliencePipeline ExternalTool(TimeSpan attemptTimeout, int retries = 1) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<TimeoutRejectedException>().Handle<ToolCrashedException>(),
            MaxRetryAttempts = Math.Max(retries, 1),
            Delay = TimeSpan.FromSeconds(1),
        })
        .AddTimeout(attemptTimeout)
        .Build();

    public static bool IsTransientDatabaseFault(Exception e) => e switch
    {
        NpgsqlException n => n.IsTransient || n is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" or "08006" or "08001" },
        SqlException s => s.Number is -2 or 53 or 121 or 233 or 1205 or 4060 or 10053 or 10054 or 10060 or 40197 or 40501 or 40613 or 49918 or 49919 or 49920,
        SqliteException q => q.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        SocketException or TimeoutException => true,
        // Hangfire wraps storage faults (BackgroundJobClientException); Npgsql wraps socket errors.
        { InnerException: { } inner } => IsTransientDatabaseFault(inner),
        _ => false,
    };

    public static bool IsTransientFileFault(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException) && !IsDiskFull(e);

    /// <summary>ENOSPC / EDQUOT on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
                               || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                               || io.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase));
}

/// <summary>An external stage tool died without a usable answer (signal, crash, unexpected exit code).</summary>
public sealed class ToolCrashedException(string message) : Exception(message);
