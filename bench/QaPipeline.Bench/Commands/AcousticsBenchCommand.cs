using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Audio.Wav;

using QaPipeline.Cli.Commands;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench acoustics [--audio FILE] [--minutes 5] [--runs 3]</c>: acoustic analysis speed as a multiple of real
/// time (target ≥ 100×). Without --audio it writes a stereo conversation of real clips from ../shared/speech
/// (turns alternating between the channels, each channel speaking about half the time) and then its mono mix, which
/// goes through speaker separation (the mono case).
/// </summary>
public static class AcousticsBenchCommand
{
    public static Command Create()
    {
        var audio = new Option<FileInfo?>("--audio") { Description = "Recording to analyse (default: a generated stereo call)" };
        var minutes = new Option<double>("--minutes") { Description = "Length of the generated call", DefaultValueFactory = _ => 5 };
        var runs = new Option<int>("--runs") { Description = "Timed runs (the best and the median are reported)", DefaultValueFactory = _ => 3 };
        var clips = new Option<DirectoryInfo?>("--clips") { Description = "Folder of speech clips for the generated call (default ../shared/speech)" };
        var vadModel = new Option<FileInfo?>("--vad-model") { Description = "Silero VAD ONNX model" };
        var cmd = new Command("acoustics", "Acoustic analysis speed (decode + Silero VAD + facts) in x real time")
        {
            audio, minutes, runs, clips, vadModel,
        };
        cmd.SetAction(p =>
        {
            var runCount = Math.Max(1, p.GetValue(runs));
            var paths = p.GetValue(audio)?.FullName is { } given
                ? [given]
                : GenerateCall(p.GetValue(clips)?.FullName ?? FindSharedSpeech(), p.GetValue(minutes)) is var (stereo, mono) ? new[] { stereo, mono } : [];
            var decoder = new AudioDecoder();
            using var vad = new SileroVad(SileroVad.ResolveModelPath(p.GetValue(vadModel)?.FullName ?? PipelineCli.Variables().VadModel));
            var analyzer = new AcousticAnalyzer(decoder, vad);
            foreach (var path in paths) Measure(path, decoder, analyzer, runCount);
            return 0;
        });
        return cmd;
    }

    private static void Measure(string path, AudioDecoder decoder, AcousticAnalyzer analyzer, int runCount)
    {
        var warm = analyzer.Analyze(path); // JIT and ONNX Runtime initialisation are not what we measure
        var probeTimes = new List<double>();
        var decodeTimes = new List<double>();
        var analyzeTimes = new List<double>();
        var cpuTimes = new List<double>();
        var allCpuTimes = new List<double>();
        for (var i = 0; i < runCount; i++)
        {
            var clock = Stopwatch.StartNew();
            decoder.Probe(path);
            probeTimes.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            foreach (var _ in decoder.Decode(path)) { }
            decodeTimes.Add(clock.Elapsed.TotalSeconds);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var children = ChildrenCpuSeconds();
            clock.Restart();
            analyzer.Analyze(path);
            analyzeTimes.Add(clock.Elapsed.TotalSeconds);
            // ffmpeg runs as a child process: its CPU time is not in ours, so this is the VAD + analysis share.
            cpuTimes.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            // ...and with the children (ffprobe, ffmpeg) it is the whole cost of analysing one call, which a
            // loaded machine does not distort the way it distorts wall time.
            allCpuTimes.Add(cpuTimes[^1] + ChildrenCpuSeconds() - children);
        }
        var duration = warm.DurationSeconds;
        var best = analyzeTimes.Min();
        var median = analyzeTimes.Order().ElementAt(analyzeTimes.Count / 2);
        var inv = CultureInfo.InvariantCulture;
        var separated = warm.Separation is { } sep
            ? sep.Separated ? $"; mono, separated ({sep.Method}, confidence {sep.Confidence:0.00})" : $"; mono, not separated ({sep.Reason})"
            : "";
        Console.Out.WriteLine(string.Create(inv, $"recording        {path}"));
        Console.Out.WriteLine(string.Create(inv, $"audio            {duration:0.0} s, {warm.Channels} channel(s); speech agent {Speech(warm, "agent")} s, customer {Speech(warm, "customer")} s{separated}"));
        Console.Out.WriteLine(string.Create(inv, $"decode only      best {decodeTimes.Min():0.000} s = {duration / decodeTimes.Min():0}x real time"));
        Console.Out.WriteLine(string.Create(inv, $"full analysis    best {best:0.000} s = {duration / best:0}x real time; median {median:0.000} s = {duration / median:0}x ({runCount} runs)"));
        Console.Out.WriteLine(string.Create(inv, $"probe            best {probeTimes.Min() * 1000:0.0} ms (headers: in process for plain WAV, else ffprobe)"));
        Console.Out.WriteLine(string.Create(inv, $"analysis CPU     best {cpuTimes.Min():0.000} s of this process's CPU = {duration / cpuTimes.Min():0}x real time per core (excl. ffmpeg)"));
        Console.Out.WriteLine(string.Create(inv, $"analysis CPU all best {allCpuTimes.Min():0.000} s, median {allCpuTimes.Order().ElementAt(allCpuTimes.Count / 2):0.000} s incl. ffmpeg/ffprobe = {allCpuTimes.Min() / duration * 60 * 1000:0} ms per audio minute"));
        Console.Out.WriteLine(string.Create(inv, $"machine          {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        Console.Out.WriteLine(string.Create(inv, $"peak memory      {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):0} MB working set"));
        Console.Out.WriteLine();
    }

    private static string Speech(QaPipeline.Scoring.Acoustics.AcousticFacts facts, string speaker) =>
        facts.Speakers.TryGetValue(speaker, out var s) ? s.SpeechSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>CPU seconds of this process's finished children (utime+stime of waited-for children, /proc/self/stat
    /// fields 16-17, in clock ticks of 1/100 s); 0 where /proc is not there.</summary>
    private static double ChildrenCpuSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    internal static string FindSharedSpeech()
    {
        var speech = Path.Combine(CliFiles.SharedFolder(), "speech");
        return Directory.Exists(speech) ? speech : throw new UserInputException("no speech clips found (../shared/speech); pass --audio FILE or --clips DIR");
    }

    /// <summary>Lays mono clips out as alternating turns (gaps 0.3–1.5 s, every seventh turn cutting in 1 s early)
    /// and writes a 16 kHz stereo PCM WAV to the temp folder, and its mono mix beside it (the mono case: the same
    /// call through speaker separation).</summary>
    private static (string Stereo, string Mono) GenerateCall(string clipDirectory, double minutes)
    {
        var decoder = new AudioDecoder();
        var rate = AudioDecoder.SampleRate;
        var total = (int)(minutes * 60 * rate);
        var channels = new[] { new float[total], new float[total] };
        var files = Directory.EnumerateFiles(clipDirectory, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new UserInputException($"no .wav clips under {clipDirectory}");
        var random = new Random(7);
        var t = (int)(0.5 * rate);
        for (var turn = 0; t < total; turn++)
        {
            var clip = decoder.DecodeToMemory(files[turn % files.Count], maxSeconds: 120);
            var samples = clip.Channels[0];
            var n = Math.Min(samples.Length, total - t);
            var target = channels[turn % 2];
            for (var i = 0; i < n; i++) target[t + i] += samples[i];
            var gap = turn % 7 == 6 ? -1.0 : 0.3 + random.NextDouble() * 1.2;
            t += Math.Max(rate / 2, n + (int)(gap * rate));
        }
        var name = Path.Combine(Path.GetTempPath(), $"qa-bench-call-{minutes.ToString("0.#", CultureInfo.InvariantCulture)}min");
        PcmWav.Write(name + ".wav", rate, channels[0], channels[1]);
        var mono = new float[total];
        for (var i = 0; i < total; i++) mono[i] = channels[0][i] + channels[1][i];
        PcmWav.Write(name + "-mono.wav", rate, mono);
        return (name + ".wav", name + "-mono.wav");
    }
}
