using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;

using QaPipeline.Cli.Commands;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench acoustics [--audio FILE] [--minutes 5] [--runs 3]</c>: acoustic analysis speed as a multiple of real
/// time (target ≥ 100×). Without --audio it writes a stereo conversation of real clips from ../shared/speech
/// (turns alternating between the channels, each channel speaking about half the time).
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
            var path = p.GetValue(audio)?.FullName
                       ?? GenerateCall(p.GetValue(clips)?.FullName ?? FindSharedSpeech(), p.GetValue(minutes));
            var decoder = new AudioDecoder();
            using var vad = new SileroVad(SileroVad.ResolveModelPath(p.GetValue(vadModel)?.FullName));
            var analyzer = new AcousticAnalyzer(decoder, vad);

            var warm = analyzer.Analyze(path); // JIT and ONNX Runtime initialisation are not what we measure
            var decodeTimes = new List<double>();
            var analyzeTimes = new List<double>();
            var cpuTimes = new List<double>();
            for (var i = 0; i < runCount; i++)
            {
                var clock = Stopwatch.StartNew();
                foreach (var _ in decoder.Decode(path)) { }
                decodeTimes.Add(clock.Elapsed.TotalSeconds);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                analyzer.Analyze(path);
                analyzeTimes.Add(clock.Elapsed.TotalSeconds);
                // ffmpeg runs as a child process: its CPU time is not in ours, so this is the VAD + analysis share.
                cpuTimes.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            }
            var duration = warm.DurationSeconds;
            var best = analyzeTimes.Min();
            var median = analyzeTimes.Order().ElementAt(analyzeTimes.Count / 2);
            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(inv, $"recording        {path}"));
            Console.Out.WriteLine(string.Create(inv, $"audio            {duration:0.0} s, {warm.Channels} channel(s); speech agent {Speech(warm, "agent")} s, customer {Speech(warm, "customer")} s"));
            Console.Out.WriteLine(string.Create(inv, $"decode only      best {decodeTimes.Min():0.000} s = {duration / decodeTimes.Min():0}x real time"));
            Console.Out.WriteLine(string.Create(inv, $"full analysis    best {best:0.000} s = {duration / best:0}x real time; median {median:0.000} s = {duration / median:0}x ({runCount} runs)"));
            Console.Out.WriteLine(string.Create(inv, $"analysis CPU     best {cpuTimes.Min():0.000} s of this process's CPU = {duration / cpuTimes.Min():0}x real time per core (excl. ffmpeg)"));
            Console.Out.WriteLine(string.Create(inv, $"machine          {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
            Console.Out.WriteLine(string.Create(inv, $"peak memory      {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):0} MB working set"));
            return 0;
        });
        return cmd;
    }

    private static string Speech(QaPipeline.Scoring.Acoustics.AcousticFacts facts, string speaker) =>
        facts.Speakers.TryGetValue(speaker, out var s) ? s.SpeechSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string FindSharedSpeech()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "speech");
            if (Directory.Exists(candidate)) return candidate;
            candidate = Path.Combine(dir.FullName, "..", "shared", "speech");
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new UserInputException("no speech clips found (../shared/speech); pass --audio FILE or --clips DIR");
    }

    /// <summary>Lays mono clips out as alternating turns (gaps 0.3–1.5 s, every seventh turn cutting in 1 s early)
    /// and writes a 16 kHz stereo PCM WAV to the temp folder.</summary>
    private static string GenerateCall(string clipDirectory, double minutes)
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
        var path = Path.Combine(Path.GetTempPath(), $"qa-bench-call-{minutes.ToString("0.#", CultureInfo.InvariantCulture)}min.wav");
        using var file = new BinaryWriter(File.Create(path));
        // 16-bit PCM WAV header (RIFF): the one container every tool reads.
        file.Write(Encoding.ASCII.GetBytes("RIFF"));
        file.Write(36 + total * 4);
        file.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        file.Write(16);
        file.Write((short)1);
        file.Write((short)2);
        file.Write(rate);
        file.Write(rate * 4);
        file.Write((short)4);
        file.Write((short)16);
        file.Write(Encoding.ASCII.GetBytes("data"));
        file.Write(total * 4);
        for (var i = 0; i < total; i++)
        {
            file.Write((short)Math.Clamp(channels[0][i] * 32767f, -32768f, 32767f));
            file.Write((short)Math.Clamp(channels[1][i] * 32767f, -32768f, 32767f));
        }
        return path;
    }
}
