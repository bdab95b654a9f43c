using System.Diagnostics;
using System.Text;

namespace QaPipeline.TestSupport;

/// <summary>
/// The one way tests start the real <c>qa</c> program: a separate process on the qa.dll built beside the tests,
/// run from the repository root as users and acceptance checks run it, with its own environment. <see cref="Run"/>
/// waits for it and captures stdout, stderr and the exit code; <see cref="Start"/> keeps a long-running one
/// (<c>qa worker</c>) to kill.
/// </summary>
public sealed class QaProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private QaProcess(Process process) => _process = process;

    public static string RepoRoot => RepositoryPaths.Root;

    public static string QaDll => Path.Combine(AppContext.BaseDirectory, "qa.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public int Exit => ExitCode;
    }

    public static Result Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs a qa command to completion (5 minutes at most: a hang fails the test rather than the run).</summary>
    public static Result Run(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        using var p = Process.Start(StartInfo(env, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            throw new TimeoutException($"qa {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts a qa command and leaves it running; stderr is collected as it comes.</summary>
    public static QaProcess Start(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var p = new QaProcess(Process.Start(StartInfo(env, args))!);
        p._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p._stderr) p._stderr.AppendLine(e.Data); };
        p._process.OutputDataReceived += (_, _) => { };
        p._process.BeginErrorReadLine();
        p._process.BeginOutputReadLine();
        return p;
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> env, string[] args)
    {
        // `qa bench ...` and `qa labels ...` are the bench tool's, as the ./qa launcher routes them.
        var dll = args.Length > 0 && args[0] is "bench" or "labels" ? Path.Combine(AppContext.BaseDirectory, "qa-bench.dll") : QaDll;
        if (!File.Exists(dll)) throw new FileNotFoundException($"{Path.GetFileName(dll)} not built beside the tests: {dll}");
        var psi = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>A scratch file under the test's own output folder (ignored by git).</summary>
    public static string Scratch(string name, string content)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "scratch");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public int Id => _process.Id;

    /// <summary>Waits up to <paramref name="milliseconds"/> for the process to end (a benchmark samples it meanwhile).</summary>
    public bool WaitForExit(int milliseconds) => _process.WaitForExit(milliseconds);

    public int ExitCode => _process.ExitCode;

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
