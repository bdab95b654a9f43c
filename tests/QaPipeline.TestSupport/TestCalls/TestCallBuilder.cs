using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace QaPipeline.TestSupport.TestCalls;

/// <summary>
/// Builds a test call recording from real speech clips placed at known offsets, and knows the truth about it
/// (who speaks when, the silences, the overlaps and who interrupted). Reusable by any stage's tests:
/// <code>
/// var call = new TestCallBuilder(lengthSeconds: 40)
///     .Add(CallChannel.Left, 1.0, RepositoryPaths.Speech("en/ljspeech_LJ001-0004.wav"))
///     .Add(CallChannel.Right, 6.0, RepositoryPaths.Speech("zh/paddlespeech_zh.wav"))
///     .Build(Path.Combine(dir, "call.wav"));           // format from the extension; options for rate/codec
/// call.Silences(3.0); call.Overlaps(0.5);              // the truth
/// </code>
/// Each clip's own leading and trailing silence is trimmed first (ffmpeg silenceremove at -45 dBFS; the clips
/// are clean studio or demo recordings), so a placement's start and end are where its speech starts and ends.
/// Clips are decoded and the result encoded by ffmpeg; the builder only adds samples.
/// </summary>
public sealed class TestCallBuilder(double lengthSeconds)
{
    public const int SampleRate = 16000;
    private static readonly Dictionary<string, float[]> TrimmedClips = [];
    private readonly List<(CallChannel Channel, double Offset, string Clip)> _placements = [];

    public TestCallBuilder Add(CallChannel channel, double offsetSeconds, string clipPath)
    {
        _placements.Add((channel, offsetSeconds, clipPath));
        return this;
    }

    /// <summary>Writes the call. <paramref name="mono"/> mixes both sides into one channel;
    /// <paramref name="encoderArguments"/> go to ffmpeg before the output path (e.g. <c>-ar 8000 -c:a pcm_mulaw</c>).</summary>
    public TestCall Build(string outputPath, bool mono = false, params string[] encoderArguments)
    {
        var total = (int)Math.Round(lengthSeconds * SampleRate);
        var left = new float[total];
        var right = new float[total];
        var placed = new List<PlacedClip>();
        foreach (var (channel, offset, clip) in _placements)
        {
            var samples = Trimmed(clip);
            var start = (int)Math.Round(offset * SampleRate);
            if (start + samples.Length > total)
                throw new ArgumentException($"{clip} at {offset} s runs past the end of a {lengthSeconds} s call");
            var target = channel == CallChannel.Left ? left : right;
            for (var i = 0; i < samples.Length; i++) target[start + i] += samples[i];
            placed.Add(new PlacedClip(channel, start / (double)SampleRate, (start + samples.Length) / (double)SampleRate, clip));
        }

        var channels = mono ? 1 : 2;
        var interleaved = new float[total * channels];
        for (var i = 0; i < total; i++)
        {
            if (mono) interleaved[i] = Math.Clamp(left[i] + right[i], -1f, 1f);
            else
            {
                interleaved[2 * i] = Math.Clamp(left[i], -1f, 1f);
                interleaved[2 * i + 1] = Math.Clamp(right[i], -1f, 1f);
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        Ffmpeg(["-f", "f32le", "-ar", SampleRate.ToString(CultureInfo.InvariantCulture), "-ac", channels.ToString(CultureInfo.InvariantCulture),
                "-i", "pipe:0", .. encoderArguments, outputPath],
            stdin: MemoryMarshal.AsBytes(interleaved.AsSpan()).ToArray());
        return new TestCall(outputPath, lengthSeconds, mono, placed);
    }

    /// <summary>A conversation of about <paramref name="minutes"/> minutes: turns alternate between the sides,
    /// cycling through <paramref name="clips"/>, with gaps of 0.3 to 1.5 s, an occasional 4 s dead air and an
    /// occasional interruption, so that each channel carries speech about half of the time. Deterministic.</summary>
    public static TestCallBuilder Conversation(double minutes, IReadOnlyList<string> clips, int seed = 7)
    {
        var random = new Random(seed);
        var length = minutes * 60;
        var builder = new TestCallBuilder(length);
        var t = 0.5;
        var side = CallChannel.Left;
        for (var turn = 0; ; turn++)
        {
            var clip = clips[turn % clips.Count];
            var duration = Trimmed(clip).Length / (double)SampleRate;
            if (t + duration > length - 0.5) break;
            builder.Add(side, t, clip);
            var gap = turn % 11 == 10 ? 4.0 : turn % 7 == 6 ? -1.0 : 0.3 + random.NextDouble() * 1.2;
            t = Math.Max(t + 0.5, t + duration + gap);
            side = side == CallChannel.Left ? CallChannel.Right : CallChannel.Left;
        }
        return builder;
    }

    /// <summary>
    /// The scripted stereo call of the acoustic tests and <c>qa analyze</c>'s contract tests (agent = left):
    ///  1.0  agent speaks, 6.2 customer answers;  ~10.0 → 15.0  dead air (about 5 s);
    ///  15.0 agent, 17.5 customer talks over the agent's last 1.6 s (customer interrupts);  ~26.6 → 30.0  dead air;
    ///  30.0 customer, 33.0 agent talks over the customer's last 2 s (agent interrupts); 36.9 customer closes.
    /// </summary>
    public static TestCallBuilder ScriptedStereoCall()
    {
        var clips = CleanClips();
        return new TestCallBuilder(lengthSeconds: 42)
            .Add(CallChannel.Left, 1.0, clips[0])
            .Add(CallChannel.Right, 6.2, clips[1])
            .Add(CallChannel.Left, 15.0, clips[2])
            .Add(CallChannel.Right, 17.5, clips[3])
            .Add(CallChannel.Left, 22.5, clips[4])
            .Add(CallChannel.Right, 30.0, clips[5])
            .Add(CallChannel.Left, 33.0, clips[6])
            .Add(CallChannel.Right, 36.9, clips[7]);
    }

    /// <summary>Clips whose speech runs without long internal pauses, good for timing truth.</summary>
    public static IReadOnlyList<string> CleanClips() =>
    [
        RepositoryPaths.Speech("en/hifitts6097_astralplane_04_leadbeater_0040.wav"),
        RepositoryPaths.Speech("zh/paddlespeech_zh.wav"),
        RepositoryPaths.Speech("en/hifitts6097_nada_lily_02_haggard_0216.wav"),
        RepositoryPaths.Speech("zh/funasr_asr_example_zh.wav"),
        RepositoryPaths.Speech("en/hifitts6097_presentpictureofnsw_05_mann_0592.wav"),
        RepositoryPaths.Speech("en/ljspeech_LJ001-0004.wav"),
        RepositoryPaths.Speech("en/hifitts6097_hartmann_12_fawcett_0110.wav"),
        RepositoryPaths.Speech("zh/wenet_nst_ID001.wav"),
    ];

    public static double ClipSeconds(string clip) => Trimmed(clip).Length / (double)SampleRate;

    private static float[] Trimmed(string clip)
    {
        lock (TrimmedClips)
        {
            if (TrimmedClips.TryGetValue(clip, out var cached)) return cached;
            const string trim = "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.02";
            var bytes = Ffmpeg(["-i", clip, "-af", $"{trim},areverse,{trim},areverse", "-ac", "1", "-ar", "16000", "-f", "f32le", "pipe:1"], stdin: null);
            return TrimmedClips[clip] = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
    }

    private static byte[] Ffmpeg(IEnumerable<string> arguments, byte[]? stdin)
    {
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" }) info.ArgumentList.Add(a);
        if (stdin is not null) info.ArgumentList.Remove("-nostdin");
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start ffmpeg");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        var reader = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }
        process.StandardInput.Close();
        reader.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', info.ArgumentList)} failed: {stderr.Result}");
        return stdout.ToArray();
    }
}

public enum CallChannel
{
    Left,
    Right,
}

/// <summary>Where a clip's speech sits in the built call.</summary>
public sealed record PlacedClip(CallChannel Channel, double Start, double End, string Clip);

/// <summary>A built test call and the truth about it.</summary>
public sealed record TestCall(string Path, double LengthSeconds, bool Mono, IReadOnlyList<PlacedClip> Placements)
{
    public IReadOnlyList<(double Start, double End)> SpeechOf(CallChannel channel) =>
        Merge(Placements.Where(p => Mono || p.Channel == channel).Select(p => (p.Start, p.End)));

    public double SpeechSeconds(CallChannel channel) => SpeechOf(channel).Sum(s => s.End - s.Start);

    /// <summary>Stretches with nobody speaking, at least <paramref name="min"/> seconds, leading/trailing excluded.</summary>
    public IReadOnlyList<(double Start, double End)> Silences(double min)
    {
        var all = Merge(Placements.Select(p => (p.Start, p.End)));
        return all.Zip(all.Skip(1), (a, b) => (a.End, b.Start)).Where(g => g.Item2 - g.Item1 >= min).ToList();
    }

    /// <summary>Both sides speaking for at least <paramref name="min"/> seconds; By is the side that started second.</summary>
    public IReadOnlyList<(double Start, double End, CallChannel By)> Overlaps(double min)
    {
        var result = new List<(double, double, CallChannel)>();
        foreach (var l in Placements.Where(p => p.Channel == CallChannel.Left))
        foreach (var r in Placements.Where(p => p.Channel == CallChannel.Right))
        {
            var start = Math.Max(l.Start, r.Start);
            var end = Math.Min(l.End, r.End);
            if (end - start >= min) result.Add((start, end, l.Start > r.Start ? CallChannel.Left : CallChannel.Right));
        }
        return result.OrderBy(o => o.Item1).ToList();
    }

    private static List<(double Start, double End)> Merge(IEnumerable<(double Start, double End)> spans)
    {
        var merged = new List<(double Start, double End)>();
        foreach (var s in spans.OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && s.Start <= merged[^1].End) merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, s.End));
            else merged.Add(s);
        }
        return merged;
    }
}
