using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace QaPipeline.Audio;

/// <summary>
/// The one way the product runs a child process (ffmpeg and ffprobe here, the pipeline's stage tools — <c>qa analyze</c>,
/// <c>qa transcribe</c> — in QaPipeline.Pipeline): stdout is the data, stderr is kept (its start, bounded, and its last
/// line) for the error message, cancellation kills the whole process tree, and an optional watchdog kills the process
/// when it stops making progress.
/// </summary>
public sealed class ToolProcess : IDisposable
{
    private const int MaxStderrChars = 4000;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private string? _lastStderrLine;
    private readonly Timer? _watchdog;
    private readonly TimeSpan? _stallTimeout;
    private readonly CancellationTokenRegistration _cancellation;
    private long _lastProgressTicks = Environment.TickCount64;
    private volatile bool _killedForStall;
    private volatile bool _disposed;

    private ToolProcess(Process process, TimeSpan? stallTimeout, CancellationToken cancellationToken)
    {
        _process = process;
        _stallTimeout = stallTimeout;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                if (_stderr.Length < MaxStderrChars) _stderr.AppendLine(e.Data);
                if (e.Data.Trim() is { Length: > 0 } line) _lastStderrLine = line;
            }
        };
        _process.BeginErrorReadLine();
        if (stallTimeout is not null) _watchdog = new Timer(_ => CheckStall(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        _cancellation = cancellationToken.Register(Kill);
    }

    public Stream Stdout => _process.StandardOutput.BaseStream;

    public bool KilledForStall => _killedForStall;

    /// <summary>The first <see cref="MaxStderrChars"/> characters the process wrote to stderr.</summary>
    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The last non-empty line on stderr (a tool's one-line error), once the process has exited.</summary>
    public string? LastStderrLine
    {
        get { lock (_stderr) return _lastStderrLine; }
    }

    /// <summary>Starts <paramref name="executable"/>; <paramref name="cannotStart"/> makes the caller's exception, from the
    /// operating system's reason, when it cannot be run at all (not installed, not executable). Without
    /// <paramref name="stallTimeout"/> only cancellation stops it.</summary>
    public static ToolProcess Start(string executable, IEnumerable<string> arguments, TimeSpan? stallTimeout,
        CancellationToken cancellationToken, Func<string, Exception> cannotStart)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw cannotStart("the process did not start");
        }
        catch (Win32Exception e)
        {
            throw cannotStart(e.Message);
        }
        return new ToolProcess(process, stallTimeout, cancellationToken);
    }

    /// <summary>Call after each successful read so the watchdog knows the process is alive.</summary>
    public void MarkProgress() => Interlocked.Exchange(ref _lastProgressTicks, Environment.TickCount64);

    /// <summary>Waits for exit (after stdout is drained) and returns the exit code; with a stall timeout, a process
    /// that will not exit within it is killed.</summary>
    public int WaitForExit()
    {
        if (_stallTimeout is { } stall && !_process.WaitForExit(stall))
        {
            _killedForStall = true;
            Kill();
            _process.WaitForExit();
        }
        _process.WaitForExit(); // flushes the asynchronous stderr reader
        return _process.ExitCode;
    }

    /// <summary>Reads stdout to its end as UTF-8 text and waits for the exit. Cancelled: the process is killed (by the
    /// token's registration) and this throws <see cref="OperationCanceledException"/>.</summary>
    public async Task<(int ExitCode, string Stdout)> RunToEndAsync(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Stdout, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var stdout = await reader.ReadToEndAsync(CancellationToken.None);
        await _process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return (_process.ExitCode, stdout);
    }

    /// <summary>The first meaningful line ffmpeg wrote, without the "[decoder @ 0x...]" noise, for error messages.</summary>
    public string Reason()
    {
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = lines.LastOrDefault(l => l.Contains("Invalid data", StringComparison.OrdinalIgnoreCase))
                     ?? lines.FirstOrDefault() ?? "no diagnostic from ffmpeg";
        var bracket = reason.IndexOf("] ", StringComparison.Ordinal);
        if (reason.StartsWith('[') && bracket > 0) reason = reason[(bracket + 2)..];
        // ffmpeg prefixes input errors with the input name, which the caller already shows.
        var named = reason.LastIndexOf(": ", StringComparison.Ordinal);
        if (reason.StartsWith("file:", StringComparison.Ordinal) && named > 0) reason = reason[(named + 2)..];
        return reason;
    }

    private void CheckStall()
    {
        if (_disposed || _stallTimeout is not { } stall) return;
        if (Environment.TickCount64 - Interlocked.Read(ref _lastProgressTicks) > stall.TotalMilliseconds)
        {
            _killedForStall = true;
            Kill();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or System.ComponentModel.Win32Exception)
        {
            // Already gone (or being disposed by the reader): nothing left to stop.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_watchdog is not null)
            using (var done = new ManualResetEvent(false))
                if (_watchdog.Dispose(done)) done.WaitOne();
        _cancellation.Dispose();
        Kill();
        _process.Dispose();
    }
}
