using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace QaPipeline.Audio.Decoding;

/// <summary>
/// One run of ffmpeg or ffprobe: stdout is the data, stderr is kept (bounded) for the error message, and a
/// watchdog kills the process when it stops making progress.
/// </summary>
internal sealed class FfmpegProcess : IDisposable
{
    private const int MaxStderrChars = 4000;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Timer _watchdog;
    private readonly TimeSpan _stallTimeout;
    private readonly CancellationTokenRegistration _cancellation;
    private long _lastProgressTicks = Environment.TickCount64;
    private volatile bool _killedForStall;
    private volatile bool _disposed;

    private FfmpegProcess(Process process, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        _process = process;
        _stallTimeout = stallTimeout;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
                if (_stderr.Length < MaxStderrChars) _stderr.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
        _watchdog = new Timer(_ => CheckStall(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        _cancellation = cancellationToken.Register(Kill);
    }

    public Stream Stdout => _process.StandardOutput.BaseStream;

    public bool KilledForStall => _killedForStall;

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, TimeSpan stallTimeout,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new AudioDecodingException($"could not start {executable}");
        }
        catch (Win32Exception e)
        {
            throw new AudioDecodingException(
                $"{executable} was not found or cannot run ({e.Message}); install the Debian package 'ffmpeg' (setup.sh does)", e);
        }
        return new FfmpegProcess(process, stallTimeout, cancellationToken);
    }

    /// <summary>Call after each successful read so the watchdog knows the decoder is alive.</summary>
    public void MarkProgress() => Interlocked.Exchange(ref _lastProgressTicks, Environment.TickCount64);

    /// <summary>Waits for exit (after stdout is drained) and returns the exit code; a process that will not exit
    /// within the stall timeout is killed.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(_stallTimeout))
        {
            _killedForStall = true;
            Kill();
            _process.WaitForExit();
        }
        _process.WaitForExit(); // flushes the asynchronous stderr reader
        return _process.ExitCode;
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
        if (_disposed) return;
        if (Environment.TickCount64 - Interlocked.Read(ref _lastProgressTicks) > _stallTimeout.TotalMilliseconds)
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
        using (var done = new ManualResetEvent(false))
            if (_watchdog.Dispose(done)) done.WaitOne();
        _cancellation.Dispose();
        Kill();
        _process.Dispose();
    }
}
