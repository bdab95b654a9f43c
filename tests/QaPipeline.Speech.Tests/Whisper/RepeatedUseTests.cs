using System.Diagnostics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Speech.Whisper;
using Xunit.Abstractions;

namespace QaPipeline.Speech.Tests.Whisper;

/// <summary>Runs alone: it measures the resident memory of the whole test process.</summary>
[CollectionDefinition(nameof(RepeatedUseTests), DisableParallelization = true)]
public sealed class RepeatedUseCollection;

[Collection(nameof(RepeatedUseTests))]
public sealed class RepeatedUseTests(ITestOutputHelper output)
{
    private static long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException($"{field} missing from /proc/self/status");
    }

    private static long ResidentBytes() => StatusBytes("VmRSS");

    private static long SettledResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return ResidentBytes();
    }

    [Fact]
    public void Hundred_load_transcribe_free_cycles_do_not_grow_resident_memory()
    {
        // The shared tiny test model (full encoder, one decoder step per window) on 1.5 s of a real clip with a
        // matching encoder context keeps a cycle well under a second; the segment path itself is covered by
        // CallTranscriberTests and SegmentMappingTests.
        var clip = new AudioDecoder().DecodeToMemory(TestEnvironment.Speech("en/ljspeech_LJ001-0001.wav")).Channels[0][..24000];
        var options = new RecognitionOptions { Language = "en", Threads = 2, BeamSize = 1, TemperatureIncrement = 0, AudioContext = 96 };
        var model = TestEnvironment.TinyModel;
        var results = 0;
        void Cycle()
        {
            using var recognizer = WhisperRecognizer.Load(model);
            _ = recognizer.Recognize(clip, options);
            results++;
        }

        for (var i = 0; i < 10; i++) Cycle(); // allocator arenas, JIT, page cache: reach the steady state first
        var rss = new List<long> { SettledResidentBytes() };
        // Weight buffers that are allocated but only read map the zero page and barely show in RSS; a leaked one
        // would still show as address space, so that is measured too.
        var virtualBefore = StatusBytes("VmSize");
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 100; i++)
        {
            Cycle();
            if (i % 25 == 0) rss.Add(SettledResidentBytes());
        }

        var virtualGrowth = (StatusBytes("VmSize") - virtualBefore) / 1048576.0;
        var mb = rss.Select(b => b / 1048576.0).ToList();
        var growth = mb[^1] - mb[0];
        var steadyGrowth = mb[^1] - mb[1];
        var line = $"100 load/transcribe/free cycles in {clock.Elapsed.TotalSeconds:0.0} s; RSS every 25 cycles: " +
                   $"{string.Join(" -> ", mb.Select(m => $"{m:0.0}"))} MB (growth {growth:+0.0;-0.0} MB, over the last 75 cycles " +
                   $"{steadyGrowth:+0.0;-0.0} MB); address space {virtualGrowth:+0;-0} MB";
        output.WriteLine(line);
        Console.Error.WriteLine($"speech leak check: {line}");
        Assert.Equal(110, results);
        // One leaked context is ~100 MB (tiny weights, KV cache, compute buffers) and one leaked state ~20 MB, so
        // leaking either per cycle grows by gigabytes here, in every interval. glibc's per-thread malloc arenas move
        // RSS without any leak: each cycle's new worker threads may get an arena, and run alone on this 2-core machine
        // the same test measured 215 -> 300 -> 340 -> 353 -> 353 MB and, on the tree before this stop's merges,
        // 183 -> 337 -> 347 -> 358 -> 389 MB (address space +8 / +16 MB: memory reused, not newly mapped). So the
        // bounds are set from those figures with room, far below a per-cycle leak of a state or a context: the last
        // 75 cycles within 96 MB (~1.3 MB per cycle) and the whole run within 320 MB.
        Assert.True(steadyGrowth < 96, line);
        Assert.True(growth < 320, line);
        Assert.True(virtualGrowth < 1024, line);
    }
}
