using System.CommandLine;
using System.Globalization;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Separation;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa analyze AUDIO [--agent-channel left|right] [--min-silence SECONDS] [--first-speaker agent|customer]
/// [--speaker-model FILE] [--max-voice-similarity X]</c>: acoustic facts as JSON. Mono recordings are separated into agent and customer (the
/// <c>separation</c> object), on a speaker-embedding model's embeddings when one is given (or QA_SPEAKER_MODEL).</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var audio = new Argument<FileInfo>("audio") { Description = "Recording (any format ffmpeg reads)" };
        var agentChannel = new Option<string>("--agent-channel")
        {
            Description = "Stereo channel carrying the agent (the other is the customer)",
            DefaultValueFactory = _ => "left",
        };
        agentChannel.AcceptOnlyFromAmong("left", "right");
        var minSilence = new Option<double>("--min-silence")
        {
            Description = "Shortest stretch with nobody speaking reported as silence, in seconds",
            DefaultValueFactory = _ => 3.0,
        };
        var firstSpeaker = new Option<string>("--first-speaker")
        {
            Description = "On a mono recording, who speaks first: the agent (inbound calls) or the customer (outbound calls)",
            DefaultValueFactory = _ => "agent",
        };
        firstSpeaker.AcceptOnlyFromAmong("agent", "customer");
        var vadModel = new Option<FileInfo?>("--vad-model")
        {
            Description = $"Silero VAD ONNX model (default: ${SileroVad.ModelPathVariable} or {SileroVad.DefaultModelPath})",
        };
        var speakerModel = new Option<FileInfo?>("--speaker-model")
        {
            Description = "Speaker-embedding ONNX model (WeSpeaker / 3D-Speaker export) that separates mono recordings (default: $QA_SPEAKER_MODEL, else the built-in cepstral separator)",
        };
        var maxSimilarity = new Option<double?>("--max-voice-similarity")
        {
            Description = "With a speaker model: two voices whose embeddings are more alike than this (cosine) are one speaker (default: $QA_SPEAKER_MAX_SIMILARITY, else 0.7)",
        };
        var cmd = new Command("analyze", "Acoustic analysis of one recording: speech per speaker, silences, overlaps, talk ratio")
        {
            audio, agentChannel, minSilence, firstSpeaker, vadModel, speakerModel, maxSimilarity,
        };
        cmd.SetAction(p =>
        {
            var file = p.GetValue(audio)!;
            var seconds = p.GetValue(minSilence);
            if (!(seconds > 0) || double.IsInfinity(seconds))
                throw new UserInputException($"--min-silence must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}");
            var variables = PipelineCli.Variables();
            var similarity = p.GetValue(maxSimilarity) ?? variables.SpeakerMaxSimilarity;
            if (similarity is { } s && !(s is >= -1 and <= 1))
                throw new UserInputException($"--max-voice-similarity must be a cosine similarity from -1 to 1, not {s.ToString(CultureInfo.InvariantCulture)}");
            var options = new AcousticAnalysisOptions
            {
                AgentChannel = p.GetValue(agentChannel) == "right" ? AgentChannel.Right : AgentChannel.Left,
                MinSilenceSeconds = seconds,
                FirstSpeaker = p.GetValue(firstSpeaker) == "customer" ? SpeakerRole.Customer : SpeakerRole.Agent,
                Separation = new SpeakerSeparationOptions
                {
                    EmbeddingModelPath = p.GetValue(speakerModel)?.FullName ?? variables.SpeakerModel,
                    MaxVoiceSimilarity = similarity ?? new SpeakerSeparationOptions().MaxVoiceSimilarity,
                },
            };
            try
            {
                using var vad = new SileroVad(SileroVad.ResolveModelPath(p.GetValue(vadModel)?.FullName ?? variables.VadModel));
                var facts = new AcousticAnalyzer(new AudioDecoder(), vad).Analyze(file.FullName, options);
                Console.Out.WriteLine(AcousticFactsJson.Write(facts));
                return 0;
            }
            catch (Exception e) when (e is AudioDecodingException or InvalidDataException)
            {
                throw new UserInputException(e.Message);
            }
        });
        return cmd;
    }
}
