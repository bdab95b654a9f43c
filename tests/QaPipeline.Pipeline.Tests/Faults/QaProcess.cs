using System.Diagnostics;
using System.Text;

namespace QaPipeline.Pipeline.Tests.Faults;

/// <summary>A real <c>qa</c> process (the CLI built beside the tests) with its own environment.</summary>
public sealed class QaProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private QaProcess(Process process) => _process = process;

    public static string QaDll => Path.Combine(AppContext.BaseDirectory, "qa.dll");

    public static QaProcess Start(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [QaDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestCalls.RepoRoot,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new QaProcess(Process.Start(psi)!);
        p._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p._stderr) p._stderr.AppendLine(e.Data); };
        p._process.OutputDataReceived += (_, _) => { };
        p._process.BeginErrorReadLine();
        p._process.BeginOutputReadLine();
        return p;
    }

    /// <summary>Runs a qa command to completion and returns its exit code and stdout.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [QaDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestCalls.RepoRoot,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) { p.Kill(true); throw new TimeoutException($"qa {string.Join(' ', args)} hung"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public int Id => _process.Id;

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>SIGKILL, like kill -9: no shutdown code runs.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
