using System.Diagnostics;
using QaPipeline.Audio.Decoding;
using QaPipeline.TestSupport.TestCalls;

namespace QaPipeline.Audio.Tests.Decoding;

public class AudioDecoderTests
{
    private readonly AudioDecoder _decoder = new();

    public static TheoryData<string> SharedRecordings() => SpeechRecording.Files();

    [Theory]
    [MemberData(nameof(SharedRecordings))]
    public void Every_shared_recording_decodes_to_16_kHz_with_its_channels_and_length(string file)
    {
        var expected = SpeechRecording.All().Single(r => r.File == file);

        var audio = _decoder.DecodeToMemory(expected.FullPath);

        Assert.Equal(expected.Channels, audio.ChannelCount);
        Assert.Equal(expected.SampleRate, audio.Source.SampleRate);
        Assert.InRange(audio.DurationSeconds, expected.DurationSeconds - 0.05, expected.DurationSeconds + 0.05);
        Assert.All(audio.Channels, channel => Assert.True(channel.Max(Math.Abs) > 0.01f, "channel decoded as silence"));
    }

    [Fact]
    public void Amr_nb_telephone_recording_decodes_like_its_8_kHz_wav_original()
    {
        var amr = _decoder.DecodeToMemory(TestEnvironment.Speech("calls/baidu_8k_beijing_kejiguan_amrnb.amr"));
        var wav = _decoder.DecodeToMemory(TestEnvironment.Speech("calls/baidu_8k_beijing_kejiguan.wav"));

        Assert.Equal("amr_nb", amr.Source.Codec);
        Assert.Equal(8000, amr.Source.SampleRate);
        Assert.InRange(amr.DurationSeconds, wav.DurationSeconds - 0.05, wav.DurationSeconds + 0.05);
        // A lossy codec at 12.2 kbit/s: the waveform differs but the loudness envelope is the same recording.
        Assert.InRange(Rms(amr.Channels[0]) / Rms(wav.Channels[0]), 0.5, 2.0);
    }

    public static TheoryData<string, string[]> TelephoneEncodings() => new()
    {
        { "mulaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_mulaw"] },
        { "alaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_alaw"] },
        { "s16-44k.wav", ["-ar", "44100", "-c:a", "pcm_s16le"] },
        { "call.mp3", ["-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k"] },
        { "call.flac", ["-ar", "48000", "-c:a", "flac"] },
        { "call.opus", ["-c:a", "libopus", "-b:a", "24k"] },
        { "gsm-8k.wav", ["-ar", "8000", "-ac", "1", "-c:a", "gsm_ms"] },
    };

    [Theory]
    [MemberData(nameof(TelephoneEncodings))]
    public void Call_centre_encodings_decode_to_the_same_length_at_16_kHz(string name, string[] encoder)
    {
        var source = TestEnvironment.Speech("zh/funasr_paraformer_example_1.wav");
        var target = Path.Combine(TestEnvironment.ScratchDirectory("encodings"), name);
        Encode(source, target, encoder);

        var audio = _decoder.DecodeToMemory(target);

        Assert.InRange(audio.DurationSeconds, 13.052 - 0.08, 13.052 + 0.08);
        Assert.True(Rms(audio.Channels[0]) > 0.01, "decoded as silence");
    }

    [Fact]
    public void Stereo_call_keeps_agent_and_customer_channels_apart()
    {
        var stereo = _decoder.DecodeToMemory(TestEnvironment.Speech("calls/speechmatics_call_center_stereo.wav"));
        var agent = _decoder.DecodeToMemory(TestEnvironment.Speech("calls/speechmatics_agent_channel.wav"));
        var customer = _decoder.DecodeToMemory(TestEnvironment.Speech("calls/speechmatics_customer_channel.wav"));

        Assert.Equal(2, stereo.ChannelCount);
        Assert.True(Correlation(stereo.Channels[0], agent.Channels[0]) > 0.99, "left channel is not the agent recording");
        Assert.True(Correlation(stereo.Channels[1], customer.Channels[0]) > 0.99, "right channel is not the customer recording");
        Assert.True(Correlation(stereo.Channels[0], stereo.Channels[1]) < 0.5, "channels were mixed together");
    }

    [Fact]
    public void Streamed_chunks_are_consecutive_one_second_pieces_of_the_whole_decode()
    {
        var path = TestEnvironment.Speech("zh/azure_zhcn_continuous_mode_sample.wav");
        var whole = _decoder.DecodeToMemory(path).Channels[0];

        var chunks = _decoder.Decode(path).ToList();

        Assert.True(chunks.Count >= 52);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(AudioDecoder.SampleRate, c.Length));
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => (long)i * AudioDecoder.SampleRate), chunks.Select(c => c.StartSample));
        Assert.Equal(whole, chunks.SelectMany(c => c.Channels[0]));
    }

    [Fact]
    public void A_time_range_of_one_channel_matches_the_same_stretch_of_the_full_decode()
    {
        var path = TestEnvironment.Speech("calls/speechmatics_call_center_stereo.wav");
        var whole = _decoder.DecodeToMemory(path);

        var range = _decoder.DecodeRange(path, channel: 1, startSeconds: 4.5, durationSeconds: 2.0);

        Assert.InRange(range.Length, 2 * 16000 - 16, 2 * 16000 + 16);
        var expected = whole.Slice(1, 4.5, 6.5).ToArray();
        Assert.True(Correlation(range.AsSpan(0, Math.Min(range.Length, expected.Length)).ToArray(), expected) > 0.99);
    }

    [Fact]
    public void Loading_a_recording_longer_than_the_limit_whole_is_refused()
    {
        var e = Assert.Throws<AudioDecodingException>(() =>
            _decoder.DecodeToMemory(TestEnvironment.Speech("zh/azure_zhcn_continuous_mode_sample.wav"), maxSeconds: 10));
        Assert.Contains("longer than 10 s", e.Message);
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "empty", "file is empty" },
        { "text", "not a recording ffmpeg can read" },
        { "random", "not a recording ffmpeg can read" },
        { "wav-header-then-garbage", "not a recording ffmpeg can read" },
        { "truncated-wav", "truncated" },
        { "truncated-mp3", "truncated" },
        { "truncated-flac", "truncated" },
        { "image", "no audio stream" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_a_one_line_error_naming_the_file_and_the_reason(string kind, string reason)
    {
        var path = BadInput(kind);

        var e = Assert.Throws<AudioDecodingException>(() => _decoder.Decode(path).Sum(c => c.Length));

        Assert.StartsWith(path, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_recording_is_reported_as_not_found()
    {
        var e = Assert.Throws<FileNotFoundException>(() => _decoder.Probe("/nonexistent/call.wav"));
        Assert.Contains("recording not found", e.Message);
    }

    [Fact]
    public void Missing_ffmpeg_is_reported_with_how_to_install_it()
    {
        var decoder = new AudioDecoder(new AudioDecoderOptions { FfprobePath = "/nonexistent/ffprobe", FfmpegPath = "/nonexistent/ffmpeg" });

        // A plain WAV's header is read in process, so only ffmpeg is needed; other containers need ffprobe first.
        var wav = Assert.Throws<AudioDecodingException>(() => decoder.Decode(TestEnvironment.Speech("zh/paddlespeech_zh.wav")).ToList());
        var amr = Assert.Throws<AudioDecodingException>(() => decoder.Decode(TestEnvironment.Speech("calls/baidu_8k_beijing_kejiguan_amrnb.amr")).ToList());

        Assert.Contains("/nonexistent/ffmpeg", wav.Message);
        Assert.Contains("/nonexistent/ffprobe", amr.Message);
        Assert.All(new[] { wav, amr }, e => Assert.Contains("install the Debian package 'ffmpeg'", e.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[warning] not json")]
    [InlineData("{ \"streams\": [ { \"channels\": \"1\", \"sample_rate\": \"8000\" } ] }")]
    public void An_ffprobe_report_that_is_not_the_json_asked_for_is_a_one_line_error_naming_the_recording(string output)
    {
        var e = Assert.Throws<AudioDecodingException>(() => FfprobeReport.Read(output, "/calls/a.amr"));
        Assert.StartsWith("/calls/a.amr: ffprobe's report is not the JSON asked for", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Ffprobe_reads_a_telephone_amr_recording_s_codec_container_rate_channels_and_length()
    {
        var probe = new AudioDecoder().Probe(TestEnvironment.Speech("calls/baidu_8k_beijing_kejiguan_amrnb.amr"));
        Assert.Equal(("amr_nb", "amr", 8000, 1), (probe.Codec, probe.Container, probe.SampleRate, probe.Channels));
        Assert.True(probe.DurationSeconds > 1, $"duration {probe.DurationSeconds}");
    }

    public static TheoryData<string> PlainWavRecordings() =>
        [.. SpeechRecording.All().Where(r => r.File.EndsWith(".wav", StringComparison.Ordinal)).Select(r => r.File)];

    [Theory]
    [MemberData(nameof(PlainWavRecordings))]
    public void A_wav_header_read_in_process_says_what_ffprobe_says(string file)
    {
        var path = SpeechRecording.All().Single(r => r.File == file).FullPath;
        var header = WavHeader.Probe(path);
        var probed = new AudioDecoder().ProbeWithFfprobe(path);

        if (!probed.Codec.StartsWith("pcm_", StringComparison.Ordinal))
        {
            Assert.Null(header); // compressed audio in a WAV is ffprobe's to read
            return;
        }
        Assert.NotNull(header);
        Assert.Equal((probed.Channels, probed.SampleRate, probed.Codec), (header.Channels, header.SampleRate, header.Codec));
        Assert.Contains("wav", probed.Container);
        Assert.InRange(header.DurationSeconds!.Value, probed.DurationSeconds!.Value - 0.01, probed.DurationSeconds.Value + 0.01);
    }

    [Fact]
    public void A_decoder_that_hangs_is_killed_after_the_stall_timeout()
    {
        // A stand-in ffmpeg that never writes a sample; the real ffprobe still reads the headers.
        var hanging = Path.Combine(TestEnvironment.ScratchDirectory("hang"), "ffmpeg-that-hangs");
        File.WriteAllText(hanging, "#!/bin/sh\nexec sleep 120\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var decoder = new AudioDecoder(new AudioDecoderOptions { FfmpegPath = hanging, StallTimeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<AudioDecodingException>(() => decoder.Decode(TestEnvironment.Speech("zh/paddlespeech_zh.wav")).ToList());

        Assert.Contains("produced no audio for 1 s and was stopped", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    private static string BadInput(string kind)
    {
        var dir = TestEnvironment.ScratchDirectory("bad-inputs");
        var path = Path.Combine(dir, kind + kind switch
        {
            "truncated-mp3" => ".mp3",
            "truncated-flac" => ".flac",
            "image" => ".png",
            "text" => ".txt",
            _ => ".wav",
        });
        var speech = TestEnvironment.Speech("zh/funasr_paraformer_example_1.wav");
        var random = new Random(42);
        byte[] Noise(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        switch (kind)
        {
            case "empty": File.WriteAllBytes(path, []); break;
            case "text": File.WriteAllText(path, "坐席：您好，请问有什么可以帮您？\n"); break;
            case "random": File.WriteAllBytes(path, Noise(100_000)); break;
            case "wav-header-then-garbage":
                File.WriteAllBytes(path, File.ReadAllBytes(speech).Take(36).Concat(Noise(100_000)).ToArray());
                break;
            case "truncated-wav": File.WriteAllBytes(path, File.ReadAllBytes(speech).Take(50_000).ToArray()); break;
            case "truncated-mp3" or "truncated-flac":
                var full = path + ".full" + Path.GetExtension(path);
                Encode(speech, full, kind == "truncated-mp3" ? ["-c:a", "libmp3lame", "-b:a", "64k"] : ["-c:a", "flac"]);
                File.WriteAllBytes(path, File.ReadAllBytes(full).Take(kind == "truncated-mp3" ? 20_000 : 60_000).ToArray());
                break;
            case "image": Run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:duration=1", "-frames:v", "1", path); break;
        }
        return path;
    }

    internal static void Encode(string source, string target, string[] encoder) =>
        Run(["ffmpeg", "-v", "error", "-y", "-i", source, .. encoder, target]);

    internal static void Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)} failed: {err}");
    }

    internal static double Rms(float[] samples) => Math.Sqrt(samples.Average(s => (double)s * s));

    internal static double Correlation(float[] a, float[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < n; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb + 1e-12);
    }
}

public class AudioRegionsTests
{
    [Fact]
    public void Regions_cut_from_one_streamed_decode_match_the_same_stretches_of_the_whole_recording()
    {
        var decoder = new AudioDecoder();
        var path = TestEnvironment.Speech("calls/speechmatics_call_center_stereo.wav");
        var whole = decoder.DecodeToMemory(path);
        AudioRegion[] regions = [new(1, 4.5, 6.5), new(0, 0.8, 2.4), new(0, 2.0, 2.05), new(1, 9.5, 12.0)];

        var cut = AudioRegions.Cut(decoder.Decode(path), regions).ToList();

        Assert.Equal(regions.Length, cut.Count);
        Assert.Equal(regions.OrderBy(r => r.Channel).ThenBy(r => r.Start), cut.Select(c => c.Region).OrderBy(r => r.Channel).ThenBy(r => r.Start));
        foreach (var (region, samples) in cut)
            Assert.Equal(whole.Slice(region.Channel, region.Start, region.End).ToArray(), samples);
        Assert.Equal((int)Math.Round((whole.DurationSeconds - 9.5) * 16000), cut.Single(c => c.Region.Start == 9.5).Samples.Length);
    }
}
