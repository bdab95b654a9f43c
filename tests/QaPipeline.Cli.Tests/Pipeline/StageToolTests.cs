using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests.Pipeline;

/// <summary>A node with its real tools — ffmpeg + Silero VAD for the audio stage and the speech stage's default tool,
/// <c>qa transcribe</c> (whisper.cpp, test model) — given each call's channel, language and routed rubric. Here rather
/// than in Pipeline.Tests because the speech tool is the qa program itself.</summary>
[Collection(EngineCollection.Name)]
public sealed class StageToolTests(EngineFixture engines)
{
    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task The_calls_channel_language_and_routed_rubric_reach_the_audio_and_speech_stages(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-route-stages");
        var options = TestCalls.Options(db, dir);
        options.AnalyzeAudio = true; // the real audio stage: ffmpeg + Silero VAD
        options.WhisperModel = Path.Combine(QaPipeline.TestSupport.RepositoryPaths.Shared, "models", "for-tests-ggml-tiny.bin");
        // The real `qa transcribe` (whisper.cpp, test model), behind a script that keeps the arguments it was given.
        var argsDir = Directory.CreateDirectory(Path.Combine(dir, "args")).FullName;
        var script = Path.Combine(dir, "transcribe.sh");
        File.WriteAllText(script, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > \"{argsDir}/$(basename \"$1\").args\"\nexec dotnet \"{QaProcess.QaDll}\" transcribe \"$@\" --beam-size 1 --threads 1\n");
        options.TranscribeCommand = ["/bin/sh", script, "{audio}", "--model", "{model}"];
        var input = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;

        // Stereo, the agent on the RIGHT: 1.0 s of silence, a real Mandarin utterance, 1.0 s of silence; the left
        // (customer) channel silent throughout.
        var clip = Path.Combine(QaPipeline.TestSupport.RepositoryPaths.Shared, "speech", "zh", "paddlespeech_zh.wav");
        var agent = Path.Combine(dir, "agent.wav");
        Sox(clip, "-r", "16000", "-c", "1", "-b", "16", agent, "pad", "1.0", "1.0");
        var quiet = Path.Combine(dir, "quiet.wav");
        Sox(agent, quiet, "vol", "0");
        var right = Path.Combine(input, "right.wav");
        Sox("-M", quiet, agent, right);
        File.WriteAllText(Path.Combine(input, "right.json"),
            """{"call_id": "R-1", "queue": "international", "direction": "inbound", "agent_channel": "right", "language": "en"}""");
        // Outbound with no language: the outbound rule holds whatever the language, so its rubric is the prompt
        // and Whisper detects the language.
        var outbound = Path.Combine(input, "outbound.wav");
        Sox("-M", agent, quiet, outbound);
        File.WriteAllText(Path.Combine(input, "outbound.json"), """{"call_id": "O-1", "direction": "outbound"}""");

        using var node = await TestCalls.StartNode(options);
        var rightId = (await TestCalls.IngestFile(node.Services, right)).CallId;
        var outboundId = (await TestCalls.IngestFile(node.Services, outbound)).CallId;
        var calls = node.Services.GetRequiredService<CallRepository>();
        await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(300));
        var results = node.Services.GetRequiredService<ResultRepository>();
        foreach (var id in new[] { rightId, outboundId })
            Assert.True((await calls.Get(id))!.Status == CallStatus.Scored, $"call {id}: {(await calls.Get(id))!.FailureReason}");

        // Audio stage: the agent spoke on the right channel from about 1.0 s; the customer never spoke.
        var facts = AcousticFactsJson.Parse((await results.AcousticFactsJson(rightId))!);
        var agentSpeech = facts.Speakers["agent"];
        Assert.True(agentSpeech.SpeechSeconds > 2.5, $"agent speech {agentSpeech.SpeechSeconds} s");
        Assert.InRange(agentSpeech.Segments[0].Start, 0.7, 1.6);
        Assert.InRange(agentSpeech.Segments[^1].End, 4.5, 6.3);
        Assert.Equal(0, facts.Speakers["customer"].SpeechSeconds);

        // Speech stage: the call's language, channel and routed rubric were Whisper's options.
        string[] Args(long id) => File.ReadAllLines(Path.Combine(argsDir, Path.GetFileName(TestCalls.StorePathOf(id == rightId ? right : outbound)) + ".args"));
        string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
        var rightArgs = Args(rightId);
        Assert.Equal(("en", "right", Path.Combine(TestCalls.RepoRoot, "scoring-rules", "en-US.yaml")),
            (Option(rightArgs, "--language"), Option(rightArgs, "--agent-channel"), Option(rightArgs, "--rubric")));
        var outboundArgs = Args(outboundId);
        Assert.Equal(("auto", "left", Path.Combine(TestCalls.RepoRoot, "scoring-rules", "outbound-zh-CN.yaml")),
            (Option(outboundArgs, "--language"), Option(outboundArgs, "--agent-channel"), Option(outboundArgs, "--rubric")));
        var transcript = TranscriptFormat.Parse((await results.Transcript(rightId))!.Json);
        Assert.Equal(("en", TranscriptSource.Whisper), (transcript.Language, transcript.Source));
        Assert.DoesNotContain(transcript.Segments, s => s.Speaker == SpeakerRole.Mixed);
        // Whatever the test model heard, it heard it on the agent's channel, where the agent spoke.
        Assert.All(transcript.Segments, s => Assert.Equal(SpeakerRole.Agent, s.Speaker));
        Assert.Equal(("en-US", "English hotline"), ((await results.CurrentScorecard(rightId))!.RubricId, (await results.CurrentScorecard(rightId))!.RoutingRule));
        Assert.Equal(("outbound-zh-CN", "outbound sales"), ((await results.CurrentScorecard(outboundId))!.RubricId, (await results.CurrentScorecard(outboundId))!.RoutingRule));
        await node.StopAsync();
    }

    private static void Sox(params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("sox", args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"sox {string.Join(' ', args)}: {err}");
    }
}
