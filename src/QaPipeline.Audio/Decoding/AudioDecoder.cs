using System.Globalization;
using System.Runtime.InteropServices;

namespace QaPipeline.Audio.Decoding;

/// <summary>
/// Turns any recording ffmpeg can read (WAV PCM/µ-law/A-law, MP3, AMR-NB, FLAC, Opus, 8 to 48 kHz, mono or stereo)
/// into 16 kHz float PCM per channel, the rate Silero VAD and Whisper both expect. Channels are kept apart because
/// in a stereo call recording the channel is the speaker. ffmpeg runs as a child process and its output is
/// streamed, so a 3-hour recording is decoded in bounded memory.
/// </summary>
public sealed class AudioDecoder(AudioDecoderOptions? options = null)
{
    /// <summary>The one sample rate the rest of the pipeline sees.</summary>
    public const int SampleRate = 16000;

    public AudioDecoderOptions Options { get; } = options ?? new AudioDecoderOptions();

    /// <summary>Reads the recording's headers: a plain PCM, A-law or µ-law WAV in process, anything else with ffprobe.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="AudioDecodingException">Empty, unreadable or non-audio file, or ffprobe missing or hung.</exception>
    public AudioProbe Probe(string path, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"recording not found: {path}", path);
        if (file.Length == 0) throw new AudioDecodingException($"{path}: file is empty (0 bytes)");
        return WavHeader.Probe(file.FullName) ?? ProbeWithFfprobe(path, cancellationToken);
    }

    /// <summary>The headers as ffprobe reads them (any container); <see cref="Probe"/> has checked the file exists.</summary>
    internal AudioProbe ProbeWithFfprobe(string path, CancellationToken cancellationToken = default)
    {
        using var ffprobe = StartFfmpeg(Options.FfprobePath,
            ["-v", "error", "-select_streams", "a:0",
             "-show_entries", "stream=codec_name,channels,sample_rate,duration:format=format_name,duration",
             "-of", "json", Input(Path.GetFullPath(path))],
            Options.ProbeTimeout, cancellationToken);
        var json = ffprobe.Stdout is { } s ? new StreamReader(s).ReadToEnd() : "";
        var exit = ffprobe.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (ffprobe.KilledForStall)
            throw new AudioDecodingException($"{path}: ffprobe did not answer within {Options.ProbeTimeout.TotalSeconds:0} s and was stopped");
        if (exit != 0)
            throw new AudioDecodingException($"{path}: not a recording ffmpeg can read ({ffprobe.Reason()})");

        var report = FfprobeReport.Read(json, path);
        if (report.Streams is not [{ } stream, ..])
            throw new AudioDecodingException($"{path}: contains no audio stream");
        var channels = stream.Channels ?? 0;
        var rate = FfprobeReport.Number(stream.SampleRate) is { } r ? (int)r : 0;
        if (channels <= 0 || rate <= 0)
            throw new AudioDecodingException($"{path}: audio stream has no usable channel count or sample rate");
        var duration = FfprobeReport.Number(stream.Duration) ?? FfprobeReport.Number(report.Format?.Duration);
        var codec = stream.CodecName ?? "unknown";
        var container = report.Format?.FormatName ?? "unknown";
        return new AudioProbe(duration, channels, rate, codec, container);
    }

    /// <summary>
    /// Streams the whole recording as 16 kHz float chunks, one array per source channel. Errors that only show
    /// while decoding (corrupt frames that stop ffmpeg, a truncated file, a hung decoder) surface as
    /// <see cref="AudioDecodingException"/> from the enumeration. Stopping the enumeration early stops ffmpeg.
    /// </summary>
    public IEnumerable<AudioChunk> Decode(string path, CancellationToken cancellationToken = default) =>
        Decode(path, Probe(path, cancellationToken), cancellationToken);

    /// <summary>As <see cref="Decode(string, CancellationToken)"/> with the probe the caller already has, so that a
    /// recording is probed once per analysis (a probe may be an ffprobe process).</summary>
    public IEnumerable<AudioChunk> Decode(string path, AudioProbe probe, CancellationToken cancellationToken = default)
    {
        return Stream(path, probe, probe.Channels, channelFilter: null, startSeconds: null, durationSeconds: null,
            checkComplete: true, cancellationToken);
    }

    /// <summary>
    /// Decodes one channel between two times (e.g. a voice-active region for the recogniser) without decoding the
    /// rest of the file. The range is clamped to the recording.
    /// </summary>
    public float[] DecodeRange(string path, int channel, double startSeconds, double durationSeconds,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(durationSeconds);
        var probe = Probe(path, cancellationToken);
        if (channel < 0 || channel >= probe.Channels)
            throw new AudioDecodingException($"{path}: has {probe.Channels} channel(s), no channel {channel}");
        var samples = new List<float>((int)Math.Min(durationSeconds * SampleRate + 1, 1 << 26));
        foreach (var chunk in Stream(path, probe, 1, $"pan=mono|c0=c{channel}", startSeconds, durationSeconds,
                     checkComplete: false, cancellationToken))
            samples.AddRange(chunk.Channels[0]);
        return samples.ToArray();
    }

    /// <summary>Decodes a short recording whole. Refuses (before decoding) recordings longer than
    /// <paramref name="maxSeconds"/>, the guard that keeps a 3-hour file from being loaded by mistake.</summary>
    public DecodedAudio DecodeToMemory(string path, double maxSeconds = 600, CancellationToken cancellationToken = default)
    {
        var probe = Probe(path, cancellationToken);
        if (probe.DurationSeconds > maxSeconds)
            throw new AudioDecodingException(
                $"{path}: {probe.DurationSeconds:0.#} s is longer than {maxSeconds:0.#} s; stream it with Decode instead");
        var channels = Enumerable.Range(0, probe.Channels).Select(_ => new List<float>()).ToArray();
        var maxSamples = (long)(maxSeconds * SampleRate);
        foreach (var chunk in Stream(path, probe, probe.Channels, null, null, null, checkComplete: true, cancellationToken))
        {
            if (chunk.StartSample + chunk.Length > maxSamples)
                throw new AudioDecodingException($"{path}: decodes to more than {maxSeconds:0.#} s; stream it with Decode instead");
            for (var c = 0; c < channels.Length; c++) channels[c].AddRange(chunk.Channels[c]);
        }
        return new DecodedAudio(probe, channels.Select(c => c.ToArray()).ToArray());
    }

    private IEnumerable<AudioChunk> Stream(string path, AudioProbe probe, int outChannels, string? channelFilter,
        double? startSeconds, double? durationSeconds, bool checkComplete, CancellationToken cancellationToken)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error" };
        if (startSeconds is { } ss) args.AddRange(["-ss", Seconds(ss)]);
        if (durationSeconds is { } t) args.AddRange(["-t", Seconds(t)]);
        args.AddRange(["-i", Input(Path.GetFullPath(path)), "-map", "0:a:0", "-vn", "-sn", "-dn"]);
        if (channelFilter is not null) args.AddRange(["-af", channelFilter]);
        else args.AddRange(["-ac", outChannels.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-ar", SampleRate.ToString(CultureInfo.InvariantCulture), "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"]);

        using var ffmpeg = StartFfmpeg(Options.FfmpegPath, args, Options.StallTimeout, cancellationToken);
        var frameBytes = outChannels * sizeof(float);
        var buffer = new byte[Options.ChunkSamples * frameBytes];
        long produced = 0;
        while (true)
        {
            var filled = Fill(ffmpeg, buffer);
            var frames = filled / frameBytes;
            if (frames > 0)
            {
                yield return Deinterleave(buffer.AsSpan(0, frames * frameBytes), outChannels, produced);
                produced += frames;
            }
            if (filled < buffer.Length) break;
        }

        var exit = ffmpeg.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (ffmpeg.KilledForStall)
            throw new AudioDecodingException(
                $"{path}: ffmpeg produced no audio for {Options.StallTimeout.TotalSeconds:0} s and was stopped (hung decoder?)");
        if (exit != 0)
            throw new AudioDecodingException($"{path}: decoding failed after {produced / (double)SampleRate:0.##} s ({ffmpeg.Reason()})");
        if (produced == 0 && checkComplete)
            throw new AudioDecodingException($"{path}: holds no decodable audio");
        if (checkComplete && !Options.AllowTruncated)
            CheckComplete(path, probe, produced / (double)SampleRate);
    }

    /// <summary>A recording whose header promises clearly more than was decoded is truncated (a cut-off upload).
    /// Tolerance: half a second or 2%, whichever is larger, because codecs pad and headers round.</summary>
    private static void CheckComplete(string path, AudioProbe probe, double decodedSeconds)
    {
        var declared = probe.DurationSeconds;
        if (probe.Container.Split(',').Contains("wav") && WavHeader.DeclaredDuration(path) is { } wav)
            declared = Math.Max(declared ?? 0, wav.DeclaredSeconds);
        if (declared is { } d && d - decodedSeconds > Math.Max(0.5, 0.02 * d))
            throw new AudioDecodingException(
                $"{path}: truncated: the header declares {d:0.##} s but only {decodedSeconds:0.##} s could be decoded");
    }

    /// <summary>ffmpeg or ffprobe through the one process runner; a missing executable says how to install it.</summary>
    internal static ToolProcess StartFfmpeg(string executable, IEnumerable<string> arguments, TimeSpan stallTimeout, CancellationToken cancellationToken) =>
        ToolProcess.Start(executable, arguments, stallTimeout, cancellationToken,
            reason => new AudioDecodingException($"{executable} was not found or cannot run ({reason}); install the Debian package 'ffmpeg' (setup.sh does)"));

    private static int Fill(ToolProcess ffmpeg, byte[] buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = ffmpeg.Stdout.Read(buffer, filled, buffer.Length - filled);
            if (n == 0) break;
            filled += n;
            ffmpeg.MarkProgress();
        }
        return filled;
    }

    private static AudioChunk Deinterleave(ReadOnlySpan<byte> bytes, int channels, long startSample)
    {
        var interleaved = MemoryMarshal.Cast<byte, float>(bytes);
        var frames = interleaved.Length / channels;
        var result = new float[channels][];
        if (channels == 1)
        {
            result[0] = interleaved.ToArray();
            return new AudioChunk(startSample, result);
        }
        for (var c = 0; c < channels; c++) result[c] = new float[frames];
        for (int i = 0, k = 0; i < frames; i++)
            for (var c = 0; c < channels; c++, k++)
                result[c][i] = interleaved[k];
        return new AudioChunk(startSample, result);
    }

    // "file:" stops ffmpeg from reading a colon in a file name as a protocol (e.g. "call:1.wav").
    private static string Input(string fullPath) => "file:" + fullPath;

    private static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);
}
