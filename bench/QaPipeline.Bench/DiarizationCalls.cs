using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Bench;

/// <summary>One real voice: clips of ../shared/speech known to be the same person.</summary>
/// <param name="Name">Short name used in the benchmark's table.</param>
/// <param name="Files">Paths relative to the speech folder.</param>
public sealed record Voice(string Name, string[] Files);

/// <summary>A stretch of one voice cut from a clip: its samples (16 kHz) and where in it the speech is.</summary>
public sealed record Utterance(float[] Samples, IReadOnlyList<SpeechSegment> Speech);

/// <summary>Who really spoke when in a built call.</summary>
public sealed record TruthSpan(double Start, double End, string Role);

/// <summary>How a benchmark call is recorded.</summary>
public sealed record CallCondition(string Name, bool Telephone, double? SnrDb)
{
    public bool Noisy => SnrDb is not null;
}

/// <summary>A built mono call with its truth.</summary>
public sealed record DiarizationCall(
    string Name, string Split, string Agent, string Customer, bool Inbound, CallCondition Condition,
    string Path, double DurationSeconds, IReadOnlyList<TruthSpan> Truth)
{
    public bool SingleSpeaker => Customer.Length == 0;
}

/// <summary>
/// Mono test calls with a known truth, made from the real speech in ../shared/speech: two different real voices
/// take alternating turns (gaps of 0.2–1.2 s, every fifth turn cutting into the previous one by 0.4–1 s), at
/// different levels, recorded four ways: 16 kHz PCM clean and with noise, 8 kHz µ-law through a telephone band
/// (300–3400 Hz) clean and with noise. Noise is pink (1/f), mixed at a signal-to-noise ratio over the speech.
/// The truth of each turn is where Silero finds speech in the clean clip it came from.
/// </summary>
public sealed class DiarizationCalls(string speechDirectory, SileroVad vad)
{
    /// <summary>Voices whose clips are one person each (see ../shared/speech/manifest.json): LJSpeech is one
    /// reader (LJ); the Hi-Fi TTS clips are all speaker 6097; the Azure sample is one read passage; the code-switch
    /// clips are the repository author's own recordings; the two Paraformer examples are consecutive pieces of one
    /// lecture; the tongue twister is one speaker.</summary>
    public static readonly Voice[] Voices =
    [
        new("lj-en", ["en/ljspeech_LJ001-0001.wav", "en/ljspeech_LJ001-0002.wav", "en/ljspeech_LJ001-0003.wav", "en/ljspeech_LJ001-0004.wav", "en/ljspeech_LJ001-0005.wav", "en/ljspeech_LJ037-0171.wav"]),
        new("hifi6097-en", ["en/hifitts6097_astralplane_04_leadbeater_0040.wav", "en/hifitts6097_bambatse_06_haggard_0163.wav", "en/hifitts6097_bambatse_10_haggard_0284.wav", "en/hifitts6097_hartmann_04_fawcett_0191.wav", "en/hifitts6097_hartmann_12_fawcett_0110.wav", "en/hifitts6097_hartmann_15_fawcett_0148.wav", "en/hifitts6097_nada_lily_02_haggard_0216.wav", "en/hifitts6097_nada_lily_12_haggard_0523.wav", "en/hifitts6097_nada_lily_30_haggard_0368.wav", "en/hifitts6097_presentpictureofnsw_01_mann_0076.wav", "en/hifitts6097_presentpictureofnsw_02_mann_0083.wav", "en/hifitts6097_presentpictureofnsw_05_mann_0592.wav"]),
        new("azure-zh", ["zh/azure_zhcn_continuous_mode_sample.wav"]),
        new("codeswitch-zh", ["zh/codeswitch_zh_en_test_0001.wav", "zh/codeswitch_zh_en_test_0002.wav", "zh/codeswitch_zh_en_test_0003.wav"]),
        new("lecture-zh", ["zh/funasr_paraformer_example_1.wav", "zh/funasr_paraformer_example_2.wav"]),
        new("raokouling-zh", ["zh/qwen3asr_raokouling.wav"]),
    ];

    public static readonly CallCondition[] Conditions =
    [
        new("pcm16", false, null),
        new("pcm16+noise", false, 15),
        new("ulaw8-tel", true, null),
        new("ulaw8-tel+noise", true, 15),
    ];

    /// <summary>One-voice recordings are also made under moderate noise (25 dB): there the line's hiss fills the
    /// pauses inside voiced segments without drowning the voice, the case most likely to be taken for a second
    /// voice (seen while tuning the separator's noisy-call rule), so single voices are checked clean, moderately
    /// noisy and noisy.</summary>
    public static readonly CallCondition[] SingleVoiceConditions =
    [
        Conditions[0],
        new("pcm16+noise25", false, 25),
        new("ulaw8-tel+noise25", true, 25),
        Conditions[3],
    ];

    private const int Rate = AudioDecoder.SampleRate;
    private readonly Dictionary<string, List<Utterance>> _utterances = [];
    private readonly AudioDecoder _decoder = new();
    private readonly AudioEncoder _encoder = new();

    /// <summary>
    /// Every pair of different voices (15 pairs) in each of the four conditions, directions alternating, plus
    /// every voice alone (must stay unseparated) clean and noisy over the phone. Pairs and single voices are split
    /// by index: one in three is for tuning, the rest are reported.
    /// </summary>
    public IEnumerable<DiarizationCall> Build(string outputDirectory, double callSeconds)
    {
        Directory.CreateDirectory(outputDirectory);
        var pair = 0;
        for (var a = 0; a < Voices.Length; a++)
        for (var b = a + 1; b < Voices.Length; b++, pair++)
        {
            var split = pair % 3 == 0 ? "tune" : "report";
            for (var c = 0; c < Conditions.Length; c++)
            {
                var inbound = (pair + c) % 2 == 0;
                // Who speaks first alternates too, so that neither voice is always the agent.
                var (first, second) = (pair + c / 2) % 2 == 0 ? (Voices[a], Voices[b]) : (Voices[b], Voices[a]);
                var (agent, customer) = inbound ? (first, second) : (second, first);
                var name = $"{first.Name}+{second.Name}.{Conditions[c].Name}";
                yield return Mix(outputDirectory, name, split, agent, customer, first, second, inbound, Conditions[c], callSeconds, seed: pair * 10 + c);
            }
        }
        for (var v = 0; v < Voices.Length; v++)
        {
            var split = v % 3 == 0 ? "tune" : "report";
            foreach (var condition in SingleVoiceConditions)
                yield return Mix(outputDirectory, $"{Voices[v].Name}-alone.{condition.Name}", split, Voices[v], null, Voices[v], null,
                    true, condition, callSeconds / 2, seed: 900 + v);
        }
    }

    private DiarizationCall Mix(string directory, string name, string split, Voice agent, Voice? customer, Voice first, Voice? second,
        bool inbound, CallCondition condition, double seconds, int seed)
    {
        var random = new Random(seed);
        var total = (int)(seconds * Rate);
        var signal = new float[total];
        var truth = new List<TruthSpan>();
        // Near and far end are rarely equally loud: the voices sit 5 dB apart, each turn ±2 dB.
        var levels = new Dictionary<string, double> { [first.Name] = -20, [second?.Name ?? ""] = -25 };
        var next = new Dictionary<string, int> { [first.Name] = random.Next(100), [second?.Name ?? ""] = random.Next(100) };
        var t = (int)(0.3 * Rate);
        for (var turn = 0; ; turn++)
        {
            var voice = second is null || turn % 2 == 0 ? first : second;
            var pool = UtterancesOf(voice);
            var u = pool[next[voice.Name]++ % pool.Count];
            if (t + u.Samples.Length > total - (int)(0.3 * Rate)) break;
            var gain = (float)Math.Pow(10, (levels[voice.Name] + (random.NextDouble() * 4 - 2) - Level(u)) / 20);
            for (var i = 0; i < u.Samples.Length; i++) signal[t + i] += gain * u.Samples[i];
            var role = voice == agent ? "agent" : "customer";
            foreach (var s in u.Speech) truth.Add(new TruthSpan(t / (double)Rate + s.Start, t / (double)Rate + s.End, role));
            var end = t + u.Samples.Length;
            var cutIn = second is not null && turn % 5 == 4;
            var gap = cutIn ? -Math.Min(0.4 + random.NextDouble() * 0.6, u.Samples.Length / (double)Rate / 2) : 0.2 + random.NextDouble();
            t = end + (int)(gap * Rate);
        }
        if (condition.SnrDb is { } snr) AddPinkNoise(signal, truth, snr, random);
        var path = Path.Combine(directory, name + ".wav");
        _encoder.Write(path, [signal], condition.Telephone
            ? ["-af", "highpass=f=300:poles=2,lowpass=f=3400:poles=2", "-ar", "8000", "-c:a", "pcm_mulaw"]
            : ["-c:a", "pcm_s16le"]);
        return new DiarizationCall(name, split, agent.Name, customer?.Name ?? "", inbound, condition, path, seconds, truth.OrderBy(s => s.Start).ToList());
    }

    /// <summary>Speech level of an utterance in dBFS (RMS over its voiced part).</summary>
    private static double Level(Utterance u)
    {
        double sum = 0;
        long n = 0;
        foreach (var s in u.Speech)
            for (var i = (int)(s.Start * Rate); i < Math.Min(u.Samples.Length, (int)(s.End * Rate)); i++, n++)
                sum += u.Samples[i] * (double)u.Samples[i];
        return 10 * Math.Log10(Math.Max(sum / Math.Max(n, 1), 1e-12));
    }

    /// <summary>Pink noise (Paul Kellett's filter on white noise) scaled to the given SNR over the voiced time.</summary>
    private static void AddPinkNoise(float[] signal, IReadOnlyList<TruthSpan> truth, double snrDb, Random random)
    {
        double speech = 0;
        long n = 0;
        foreach (var s in truth)
            for (var i = (int)(s.Start * Rate); i < Math.Min(signal.Length, (int)(s.End * Rate)); i++, n++)
                speech += signal[i] * (double)signal[i];
        speech /= Math.Max(n, 1);
        var noise = new double[signal.Length];
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, power = 0;
        for (var i = 0; i < noise.Length; i++)
        {
            var white = random.NextDouble() * 2 - 1;
            b0 = 0.99886 * b0 + white * 0.0555179;
            b1 = 0.99332 * b1 + white * 0.0750759;
            b2 = 0.96900 * b2 + white * 0.1538520;
            b3 = 0.86650 * b3 + white * 0.3104856;
            b4 = 0.55000 * b4 + white * 0.5329522;
            b5 = -0.7616 * b5 - white * 0.0168980;
            noise[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
            b6 = white * 0.115926;
            power += noise[i] * noise[i];
        }
        power /= noise.Length;
        var scale = Math.Sqrt(speech / power / Math.Pow(10, snrDb / 10));
        for (var i = 0; i < signal.Length; i++) signal[i] += (float)(scale * noise[i]);
    }

    /// <summary>A voice's clips cut into utterances of at most 7 s at the pauses Silero finds (long clips are read
    /// passages; a caller's turn is shorter), each trimmed to its speech.</summary>
    private List<Utterance> UtterancesOf(Voice voice)
    {
        if (_utterances.TryGetValue(voice.Name, out var cached)) return cached;
        var result = new List<Utterance>();
        foreach (var file in voice.Files)
        {
            var audio = _decoder.DecodeToMemory(Path.Combine(speechDirectory, file), maxSeconds: 120);
            var mono = new float[audio.SampleCount];
            foreach (var channel in audio.Channels)
                for (var i = 0; i < mono.Length; i++) mono[i] += channel[i] / audio.ChannelCount;
            var speech = vad.DetectSpeech(mono);
            var from = 0;
            while (from < speech.Count)
            {
                var to = from;
                while (to + 1 < speech.Count && speech[to + 1].End - speech[from].Start <= 7.0) to++;
                var start = speech[from].Start;
                var end = speech[to].End;
                if (end - start >= 1.0)
                {
                    var samples = mono.AsSpan((int)(start * Rate), Math.Min(mono.Length, (int)(end * Rate)) - (int)(start * Rate)).ToArray();
                    var spans = speech.Skip(from).Take(to - from + 1).Select(s => new SpeechSegment(s.Start - start, s.End - start)).ToList();
                    result.Add(new Utterance(samples, spans));
                }
                from = to + 1;
            }
        }
        if (result.Count == 0) throw new InvalidOperationException($"voice {voice.Name}: no speech found in its clips");
        return _utterances[voice.Name] = result;
    }
}
