using System.CommandLine;
using System.Diagnostics;
using QaPipeline.Cli.Commands;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Bench.Commands;

/// <summary><c>qa bench ...</c>: benchmarks that print their figures. Speed is measured here, never asserted in tests.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (print figures; see README for the recorded results)");
        bench.Subcommands.Add(Scoring());
        bench.Subcommands.Add(RulesBenchCommand.Create());
        bench.Subcommands.Add(PipelineBenchCommand.Create());
        bench.Subcommands.Add(AcousticsBenchCommand.Create());
        bench.Subcommands.Add(DiarizationBenchCommand.Create());
        bench.Subcommands.Add(WebCommand.Bench());
        bench.Subcommands.Add(ExportBenchCommand.Create());
        return bench;
    }

    private static Command Scoring()
    {
        var rubricOpt = new Option<FileInfo>("--rubric") { Description = "Rubric YAML", DefaultValueFactory = _ => new FileInfo("scoring-rules/zh-CN.yaml") };
        var callsOpt = new Option<int>("--calls") { Description = "Distinct synthetic calls", DefaultValueFactory = _ => 500 };
        var secondsOpt = new Option<double>("--seconds") { Description = "Measuring time per phase", DefaultValueFactory = _ => 5 };
        var cmd = new Command("scoring", "Calls scored per second per core: 5-minute Mandarin calls (~80 turns), default rubric")
            { rubricOpt, callsOpt, secondsOpt };
        cmd.SetAction(p =>
        {
            var rubric = CliFiles.Rubric(p.GetValue(rubricOpt)!);
            var n = Math.Max(1, p.GetValue(callsOpt));
            var seconds = p.GetValue(secondsOpt);
            var calls = Enumerable.Range(0, n).Select(i => SyntheticCalls.Create(i)).ToArray();
            Console.Error.WriteLine($"bench scoring: {n} synthetic calls, {calls.Average(c => c.Segments.Count):0} turns and " +
                                    $"{calls.Average(c => c.Segments.Sum(s => s.Text.Length)):0} characters each on average, rubric {rubric.Id} ({rubric.Items.Count} items)");
            for (var i = 0; i < Math.Min(n, 200); i++) Scorer.Score(rubric, calls[i]); // JIT warm-up

            // One thread = one core: the per-core figure the issue asks for.
            // CPU time beside wall time: on a shared, loaded machine the wall clock also counts the time other
            // processes held the core; calls per CPU-second of this process is the scorer's own cost.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            long scored = 0;
            while (sw.Elapsed.TotalSeconds < seconds)
                Scorer.Score(rubric, calls[scored++ % n]);
            var single = scored / sw.Elapsed.TotalSeconds;
            var perCpuSecond = scored / Math.Max(1e-3, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);

            // All cores, to show it scales (the scorer is pure and shares nothing).
            var cores = Environment.ProcessorCount;
            long total = 0;
            sw.Restart();
            Parallel.For(0, cores, w =>
            {
                long mine = 0;
                while (sw.Elapsed.TotalSeconds < seconds) Scorer.Score(rubric, calls[(w * 7919 + mine++) % n]);
                Interlocked.Add(ref total, mine);
            });
            var parallel = total / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"{{\"benchmark\":\"scoring\",\"calls_per_second_one_core\":{single:0},\"cores\":{cores},\"calls_per_second_all_cores\":{parallel:0},\"calls_per_second_per_core_all_cores\":{parallel / cores:0},\"calls_per_cpu_second_one_core\":{perCpuSecond:0},\"target_per_core\":1000}}");
            return 0;
        });
        return cmd;
    }
}
