namespace QaPipeline.Audio.Decoding;

/// <summary>What ffprobe says about a recording's first audio stream.</summary>
/// <param name="DurationSeconds">Duration as the container declares it (header, Xing/STREAMINFO, or estimated
/// from size); null when the container does not say.</param>
/// <param name="Channels">Channels of the audio stream (2 for a stereo call recording).</param>
/// <param name="SampleRate">Native sample rate in Hz (8000 for telephone audio).</param>
/// <param name="Codec">ffmpeg codec name: pcm_s16le, pcm_mulaw, pcm_alaw, mp3, amr_nb, flac, opus...</param>
/// <param name="Container">ffmpeg format name: wav, mp3, amr, flac, ogg...</param>
public sealed record AudioProbe(double? DurationSeconds, int Channels, int SampleRate, string Codec, string Container);
