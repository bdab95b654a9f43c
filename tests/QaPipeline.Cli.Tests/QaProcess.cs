using System.Diagnostics;
using System.Text;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests;

/// <summary>Runs the real <c>qa</c> program as a separate process from the repository root, as users and
/// acceptance checks do, and captures stdout, stderr and the exit code.</summary>
public static class QaProcess
{
    public static string RepoRoot => RepositoryPaths.Root;

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        // `qa bench ...` and `qa labels ...` are the bench tool's, as the ./qa launcher routes them.
        var tool = args.Length > 0 && args[0] is "bench" or "labels" ? "qa-bench.dll" : "qa.dll";
        var dll = Path.Combine(AppContext.BaseDirectory, tool);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            throw new TimeoutException($"qa {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
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
}
