using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace QaPipeline.Centre.Resilience;

/// <summary>
/// One resilience pipeline per kind of fault (database outages have theirs beside the connections, in
/// QaPipeline.Storage.DatabaseFaults). Only faults that go away by themselves are retried (a file briefly locked,
/// a hung decoder); bugs and bad input are not, so they surface at once and park the call with their reason.
/// </summary>
public static class FaultPolicies
{
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
