using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QaPipeline.Audio.Decoding;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Pipeline.Tests.Stages;

/// <summary>A mono recording of two real voices through the whole pipeline: the audio stage separates agent from
/// customer (the call's direction says who spoke first), and the scorecard says the roles are estimates.</summary>
[Collection(EngineCollection.Name)]
public sealed class MonoCallFlowTests(EngineFixture engines)
{
    [Fact]
    public async Task An_outbound_mono_call_is_separated_with_the_customer_first_and_scored_with_roles_marked_estimated()
    {
        var db = engines.NewDatabase("sqlite");
        var dir = TestCalls.TempDir("qa-mono");
        var options = TestCalls.Options(db, dir);
        options.AnalyzeAudio = true; // the real audio stage: ffmpeg + Silero VAD + speaker separation
        var folder = Path.Combine(dir, "in");
        Directory.CreateDirectory(folder);
        var wav = Path.Combine(folder, "mono.wav");
        var firstVoiceEnds = WriteTwoVoiceMono(wav);
        File.WriteAllText(Path.Combine(folder, "mono.transcript.txt"), TestCalls.GoodDialogue);
        File.WriteAllText(Path.Combine(folder, "mono.json"),
            """{"call_id": "M-1", "agent_id": "A01", "team": "T1", "queue": "orders", "direction": "outbound", "start_time": "2026-03-02T09:00:00+08:00"}""");

        using var node = await TestCalls.StartNode(options);
        var id = (await TestCalls.IngestFile(node.Services, wav)).CallId;
        var calls = node.Services.GetRequiredService<CallRepository>();
        var counts = await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(180));
        Assert.Equal(1, counts[CallStatus.Scored]);

        var results = node.Services.GetRequiredService<ResultRepository>();
        var facts = AcousticFactsJson.Parse((await results.AcousticFactsJson(id))!);
        Assert.Equal(1, facts.Channels);
        Assert.Equal("mfcc-gmm", facts.Separation!.Method);
        Assert.Equal(["agent", "customer"], facts.Speakers.Keys.Order());
        // Outbound: the voice that answered (heard first) is the customer's.
        var firstTurn = facts.Separation.Turns[0];
        Assert.Equal("customer", firstTurn.Speaker);
        Assert.True(firstTurn.Start < firstVoiceEnds);
        var card = ScorecardJson.Parse((await results.CurrentScorecard(id))!.Json);
        Assert.Contains("roles_estimated", card.Flags);
        await node.StopAsync();
    }

    /// <summary>Hi-Fi TTS speaker 6097 and the LJSpeech reader taking turns in one 16 kHz channel, 0.6 s apart;
    /// returns when the first turn ends.</summary>
    private static double WriteTwoVoiceMono(string path)
    {
        string[] first = ["hifitts6097_astralplane_04_leadbeater_0040", "hifitts6097_bambatse_06_haggard_0163", "hifitts6097_hartmann_04_fawcett_0191", "hifitts6097_nada_lily_02_haggard_0216"];
        string[] second = ["ljspeech_LJ001-0004", "ljspeech_LJ001-0002", "ljspeech_LJ001-0005", "ljspeech_LJ037-0171"];
        var decoder = new AudioDecoder();
        var samples = new List<float>();
        double firstEnds = 0;
        foreach (var clip in first.Zip(second, (a, b) => new[] { a, b }).SelectMany(p => p))
        {
            var audio = decoder.DecodeToMemory(Path.Combine(QaPipeline.TestSupport.RepositoryPaths.Shared, "speech", "en", clip + ".wav"));
            samples.AddRange(new float[(int)(0.6 * AudioDecoder.SampleRate)]);
            samples.AddRange(audio.Channels[0]);
            if (firstEnds == 0) firstEnds = samples.Count / (double)AudioDecoder.SampleRate;
        }
        samples.AddRange(new float[AudioDecoder.SampleRate]);
        new AudioEncoder().Write(path, [samples.ToArray()], "-c:a", "pcm_s16le");
        return firstEnds;
    }
}
