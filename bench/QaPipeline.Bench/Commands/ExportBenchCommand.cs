using System.CommandLine;
using System.Diagnostics;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Bench.Seeding;
using QaPipeline.Cli.Commands;
using QaPipeline.Storage;
using QaPipeline.TestSupport;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench export</c>: time and peak memory of <c>qa export scorecards</c> with N scored calls (the web
/// benchmark's generated centre). Each export runs as its own <c>qa</c> process, as a user runs it, and its peak
/// resident memory is read from /proc while it runs. The named baseline is the same export of one day (about 1/90
/// of the calls): a streaming export's peak memory stays near the baseline's; one that loads every row grows with N.
/// </summary>
public static class ExportBenchCommand
{
    public static Command Create()
    {
        var calls = new Option<int>("--calls") { Description = "Scored calls in the database", DefaultValueFactory = _ => 100_000 };
        var engine = new Option<string>("--engine") { Description = "sqlite, postgres or both", DefaultValueFactory = _ => "sqlite" };
        var cmd = new Command("export", "Scorecard export (CSV and XLSX): seconds and peak memory with N calls, against a one-day baseline")
            { calls, engine };
        cmd.SetAction(p =>
        {
            var which = p.GetValue(engine)!.ToLowerInvariant();
            if (which is not ("sqlite" or "postgres" or "both")) throw new UserInputException("--engine must be sqlite, postgres or both");
            if (!OperatingSystem.IsLinux()) throw new UserInputException("qa bench export reads peak memory from /proc: Linux only");
            if (which is "sqlite" or "both") Run(DatabaseEngine.Sqlite, Math.Max(1, p.GetValue(calls))).GetAwaiter().GetResult();
            if (which is "postgres" or "both") Run(DatabaseEngine.Postgres, Math.Max(1, p.GetValue(calls))).GetAwaiter().GetResult();
            return 0;
        });
        return cmd;
    }

    private static async Task Run(DatabaseEngine engine, int count)
    {
        var dir = Directory.CreateTempSubdirectory("qa-bench-export-");
        LocalPostgres? pg = null;
        try
        {
            var sw = Stopwatch.StartNew();
            var options = await BenchCalls.SeedCentre(engine, dir.FullName, "bench_export", count, started => pg = started);
            Console.Error.WriteLine($"bench export ({engine}): {count} calls generated in {sw.Elapsed.TotalSeconds:0.0} s");
            var env = new Dictionary<string, string>
            {
                ["QA_DB"] = engine.ToString().ToLowerInvariant(), ["QA_DB_CONNECTION"] = options.ConnectionString,
                ["QA_STORE"] = options.StorePath, ["QA_RUBRIC"] = options.RubricPath,
            };
            var results = new List<object>();
            foreach (var format in new[] { "csv", "xlsx" })
            {
                // The generated calls start on 2026-01-01 .. 2026-03-31; one day of them is the baseline.
                var day = Export(env, dir.FullName, format, ["--from", "2026-01-02", "--to", "2026-01-02"]);
                var all = Export(env, dir.FullName, format, []);
                results.Add(new
                {
                    format, rows = all.Rows, seconds = Math.Round(all.Seconds, 2), rows_per_second = Math.Round(all.Rows / all.Seconds),
                    peak_rss_mib = Math.Round(all.PeakMiB, 1), file_mib = Math.Round(all.FileMiB, 1),
                    baseline = new { period = "2026-01-02", rows = day.Rows, seconds = Math.Round(day.Seconds, 2), peak_rss_mib = Math.Round(day.PeakMiB, 1) },
                    peak_ratio_to_baseline = Math.Round(all.PeakMiB / day.PeakMiB, 2),
                    rows_ratio_to_baseline = Math.Round((double)all.Rows / Math.Max(1, day.Rows), 1),
                });
            }
            PipelineCli.Print(new { benchmark = "export", engine = engine.ToString().ToLowerInvariant(), calls = count, exports = results });
        }
        finally
        {
            pg?.Dispose();
            try { dir.Delete(true); } catch (IOException) { }
        }
    }

    private sealed record Measured(long Rows, double Seconds, double PeakMiB, double FileMiB);

    private static Measured Export(Dictionary<string, string> env, string dir, string format, string[] period)
    {
        var file = Path.Combine(dir, $"export-{Guid.NewGuid():N}.{format}");
        var sw = Stopwatch.StartNew();
        using var process = QaProcess.Start(env, ["export", "scorecards", "--format", format, "--out", file, .. period]);
        long peakKib = 0;
        while (!process.WaitForExit(20))
            peakKib = Math.Max(peakKib, PeakRssKib(process.Id));
        var seconds = sw.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"qa export failed: {process.Stderr.Trim()}");
        var rows = format == "csv" ? File.ReadLines(file).LongCount() - 1 : MiniExcelLibs.MiniExcel.Query(file).LongCount() - 1;
        var size = new FileInfo(file).Length / 1048576.0;
        File.Delete(file);
        return new Measured(rows, seconds, peakKib / 1024.0, size);
    }

    /// <summary>VmHWM: the process's peak resident set so far (it only grows, so the last reading before exit is the peak).</summary>
    private static long PeakRssKib(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException) { return 0; }
    }
}
