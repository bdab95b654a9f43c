using System.Collections.Concurrent;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Separation;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// The audio stage in process: QaPipeline.Audio's ffmpeg decoder, Silero VAD and AcousticAnalyzer (what
/// <c>qa analyze</c> runs), without starting a process and loading the model for every call. The decoder's
/// own watchdog kills an ffmpeg that stops producing audio. A VAD session is not thread-safe, so each worker
/// thread borrows one from a small pool. Unreadable audio, a missing ffmpeg or a missing model park the call.
/// <paramref name="separation"/> (from QA_SPEAKER_MODEL) separates mono calls on a speaker-embedding model's
/// embeddings; the model is loaded once and shared by the threads.
/// </summary>
public sealed class AudioLibraryAnalysis(AudioDecoderOptions decoderOptions, string? vadModelPath, SpeakerSeparationOptions? separation = null)
    : IAcousticAnalysis, IDisposable
{
    private readonly ConcurrentBag<SileroVad> _idle = [];

    public Task<AcousticFacts> Analyse(string audioPath, string agentChannel, SpeakerRole firstSpeaker, CancellationToken ct) => Task.Run(() =>
    {
        SileroVad vad;
        try
        {
            vad = _idle.TryTake(out var pooled) ? pooled : new SileroVad(SileroVad.ResolveModelPath(vadModelPath));
        }
        catch (FileNotFoundException e)
        {
            throw new PermanentStageFailure(e.Message);
        }
        try
        {
            return new AcousticAnalyzer(new AudioDecoder(decoderOptions), vad).Analyze(audioPath, new AcousticAnalysisOptions
            {
                // "mono" needs nothing here: the analyser finds a one-channel (or identical-channel) recording itself.
                AgentChannel = agentChannel == Storage.AgentChannels.Right ? AgentChannel.Right : AgentChannel.Left,
                FirstSpeaker = firstSpeaker,
                Separation = separation ?? new SpeakerSeparationOptions(),
            }, ct);
        }
        catch (Exception e) when (e is AudioDecodingException or InvalidDataException or FileNotFoundException)
        {
            throw new PermanentStageFailure(e.Message);
        }
        finally
        {
            _idle.Add(vad);
        }
    }, ct);

    public void Dispose()
    {
        while (_idle.TryTake(out var vad)) vad.Dispose();
    }
}
