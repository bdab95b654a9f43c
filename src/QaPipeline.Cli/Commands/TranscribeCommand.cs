using System.CommandLine;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Speech;
using QaPipeline.Speech.Whisper;

using QaPipeline.Scoring.Acoustics;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// <c>qa transcribe AUDIO --model FILE [--language zh|en|auto] [--agent-channel left|right|mono]</c>: one recording
/// through Whisper (Whisper.net), the call-centre way (per channel, voice-active regions only), printed as the transcript
/// JSON that <c>qa score</c> reads. Progress, guard counts, timing and peak memory go to stderr.
/// </summary>
public static class TranscribeCommand
{
    public static Command Create()
    {
        var audio = new Argument<FileInfo>("audio") { Description = "Call recording (any format ffmpeg reads)" };
        var model = new Option<FileInfo>("--model") { Description = "whisper.cpp ggml model (see models/README.md)", Required = true };
        var language = new Option<string>("--language") { Description = "zh, en or auto", DefaultValueFactory = _ => "zh" };
        var agentChannel = new Option<string>("--agent-channel") { Description = "Channel of the agent in a stereo recording: left or right; mono = one mixed speaker", DefaultValueFactory = _ => "left" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for Whisper", DefaultValueFactory = _ => Math.Min(4, Environment.ProcessorCount) };
        var beam = new Option<int>("--beam-size") { Description = "Beam width (1 = greedy, faster)", DefaultValueFactory = _ => 5 };
        var rubric = new Option<FileInfo?>("--rubric") { Description = "Rubric YAML whose phrases bias recognition (Whisper's initial prompt)" };
        var phrases = new Option<FileInfo?>("--key-phrases") { Description = "UTF-8 file, one key phrase per line, most important first (added before the rubric's)" };
        var noVad = new Option<bool>("--no-vad") { Description = "Recognise whole channels instead of voice-active regions (benchmarks, VAD misses)" };
        var vadModel = new Option<FileInfo?>("--vad-model") { Description = "Silero VAD ONNX model (default: QA_VAD_MODEL or models/silero_vad.onnx)" };
        var speakerTurns = new Option<FileInfo?>("--speaker-turns")
        {
            Description = "qa analyze JSON of this mono recording: its separated speaker turns are transcribed one by one, so segments carry the role",
        };

        var cmd = new Command("transcribe", "Transcribe a call recording with Whisper (whisper.cpp through Whisper.net) into transcript JSON")
        {
            audio, model, language, agentChannel, threads, beam, rubric, phrases, noVad, vadModel, speakerTurns,
        };
        cmd.SetAction(p =>
        {
            var audioFile = p.GetValue(audio)!;
            if (!audioFile.Exists) throw new UserInputException($"recording not found: {audioFile.FullName}");
            var lang = p.GetValue(language)!.Trim().ToLowerInvariant();
            if (lang is not ("zh" or "en" or "auto"))
                throw new UserInputException($"--language must be zh, en or auto (got '{lang}')");
            var agent = p.GetValue(agentChannel)!.Trim().ToLowerInvariant() switch
            {
                "left" => AgentChannel.Left,
                "right" => AgentChannel.Right,
                "mono" => AgentChannel.Mono,
                var other => throw new UserInputException($"--agent-channel must be left, right or mono (got '{other}')"),
            };
            var threadCount = p.GetValue(threads);
            if (threadCount < 1) throw new UserInputException("--threads must be at least 1");
            var beamSize = p.GetValue(beam);
            if (beamSize is < 1 or > 16) throw new UserInputException("--beam-size must be between 1 and 16");
            var keyPhrases = new List<string>();
            if (p.GetValue(phrases) is { } phraseFile)
            {
                if (!phraseFile.Exists) throw new UserInputException($"key-phrase file not found: {phraseFile.FullName}");
                keyPhrases.AddRange(File.ReadAllLines(phraseFile.FullName).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
            }
            if (p.GetValue(rubric) is { } rubricFile)
                keyPhrases.AddRange(RubricKeyPhrases.From(CliFiles.Rubric(rubricFile)));
            var vadPath = SileroVad.ResolveModelPath(p.GetValue(vadModel)?.FullName ?? PipelineCli.Variables().VadModel);
            IReadOnlyList<RoleTurn>? turns = null;
            if (p.GetValue(speakerTurns) is { } turnsFile)
            {
                if (!turnsFile.Exists) throw new UserInputException($"speaker-turns file not found: {turnsFile.FullName}");
                try
                {
                    turns = AcousticFactsJson.Parse(File.ReadAllText(turnsFile.FullName)).Separation?.Turns;
                }
                catch (FormatException e)
                {
                    throw new UserInputException($"{turnsFile.FullName}: {e.Message}");
                }
            }

            try
            {
                using var recognizer = WhisperRecognizer.Load(p.GetValue(model)!.FullName, runtimeOrder: PipelineCli.Variables().WhisperRuntimes);
                using var vad = new SileroVad(vadPath);
                var transcriber = new CallTranscriber(recognizer, new AudioDecoder(), vad);
                var transcript = transcriber.Transcribe(audioFile.FullName, new CallTranscriptionOptions
                {
                    Language = lang,
                    AgentChannel = agent,
                    SpeakerTurns = turns,
                    Threads = threadCount,
                    BeamSize = beamSize,
                    KeyPhrases = keyPhrases,
                    VoiceActivityGating = !p.GetValue(noVad),
                    Log = Console.Error.WriteLine,
                });
                Console.Out.WriteLine(TranscriptFormat.ToJson(transcript));
                Console.Error.WriteLine($"transcribe: Whisper.net {WhisperRuntime.Version}, runtime {WhisperRuntime.Description}");
                Console.Error.WriteLine($"transcribe: whisper encoder ran {recognizer.EncoderWindows} windows of 30 s");
                Console.Error.WriteLine($"transcribe: peak memory {PeakResidentMegabytes():0} MB");
                return 0;
            }
            catch (SpeechModelException e)
            {
                throw new UserInputException(e.Message);
            }
            catch (AudioDecodingException e)
            {
                throw new UserInputException(e.Message);
            }
            catch (InvalidDataException e)
            {
                throw new UserInputException(e.Message);
            }
        });
        return cmd;
    }

    /// <summary>Peak resident set (VmHWM) of this process, the figure the benchmark reports.</summary>
    private static double PeakResidentMegabytes()
    {
        const string file = "/proc/self/status";
        if (!File.Exists(file)) return double.NaN;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
