using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Review;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Pipeline.Tests.Stages;

/// <summary>Whole pipeline in process: real database, real Hangfire workers, real scoring core.</summary>
[Collection(EngineCollection.Name)]
public sealed class PipelineFlowTests(EngineFixture engines)
{
    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Every_call_is_scored_once_and_flagged_and_a_failing_call_is_parked_while_the_rest_continue(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-flow");
        var options = TestCalls.Options(db, dir);
        options.AnalyzeAudio = true; // the real audio stage: ffmpeg + Silero VAD
        options.WhisperModel = Path.Combine(dir, "missing-model.bin");
        var good = TestCalls.WriteCall(Path.Combine(dir, "in"), "good", 1);
        var rude = TestCalls.WriteCall(Path.Combine(dir, "in"), "rude", 2, TestCalls.RudeDialogue, agent: "A02");
        var untranscribed = TestCalls.WriteCall(Path.Combine(dir, "in"), "noscript", 3, dialogue: null);

        using (var node = await TestCalls.StartNode(options))
        {
            var ids = new List<long>();
            foreach (var wav in new[] { good, rude, untranscribed }) ids.Add((await TestCalls.IngestFile(node.Services, wav)).CallId);
            var calls = node.Services.GetRequiredService<CallRepository>();
            var counts = await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
            Assert.Equal(2, counts[CallStatus.Scored]);
            Assert.Equal(1, counts[CallStatus.Failed]);

            var results = node.Services.GetRequiredService<ResultRepository>();
            var flags = node.Services.GetRequiredService<ReviewFlagRepository>();
            var goodCard = await results.CurrentScorecard(ids[0]);
            Assert.Equal(("zh-CN", false), (goodCard!.RubricId, goodCard.Fatal));
            var rudeCard = await results.CurrentScorecard(ids[1]);
            Assert.True(rudeCard!.Fatal);
            Assert.Contains(FlagReason.Fatal, (await flags.ForCall(ids[1])).Select(f => f.Reason));
            var stages = (await calls.Stages(ids[0])).ToDictionary(s => s.Stage, s => s.State);
            Assert.Equal(new Dictionary<string, string>
            {
                [Stage.Ingest] = "succeeded", [Stage.Analyse] = "succeeded", [Stage.Transcribe] = "skipped",
                [Stage.Score] = "succeeded", [Stage.Flag] = "succeeded",
            }, stages);

            var facts = QaPipeline.Scoring.Acoustics.AcousticFactsJson.Parse((await results.AcousticFactsJson(ids[0]))!);
            Assert.Equal((2, 1.0), (facts.Channels, facts.DurationSeconds));
            var parked = await calls.Get(ids[2]);
            Assert.Equal($"transcribe: whisper model not found: {options.WhisperModel}", parked!.FailureReason);
            var failedStage = (await calls.Stages(ids[2])).Single(s => s.Stage == Stage.Transcribe);
            Assert.Equal(("failed", $"whisper model not found: {options.WhisperModel}"), (failedStage.State, failedStage.LastError));
            await node.StopAsync();
        }

        // A restart (the in-memory queue starts empty) re-enqueues only unfinished calls: nothing is scored twice.
        using (var again = await TestCalls.StartNode(options))
        {
            await Task.Delay(1000);
            var results = again.Services.GetRequiredService<ResultRepository>();
            var calls = again.Services.GetRequiredService<CallRepository>();
            foreach (var call in await calls.List(null, 10))
                Assert.Equal(call.Status == CallStatus.Scored ? 1 : 0, await results.ScorecardCount(call.Id));
            Assert.All(await calls.Stages(1), s => Assert.Equal(1, s.Attempts));
            await again.StopAsync();
        }
    }

    [Fact]
    public async Task A_parked_call_runs_again_after_retry_and_is_then_scored()
    {
        var db = engines.NewDatabase("sqlite");
        var dir = TestCalls.TempDir("qa-retry");
        var options = TestCalls.Options(db, dir);
        var wav = TestCalls.WriteCall(Path.Combine(dir, "in"), "call", 1, dialogue: null);
        using var node = await TestCalls.StartNode(options);
        var id = (await TestCalls.IngestFile(node.Services, wav)).CallId;
        var calls = node.Services.GetRequiredService<CallRepository>();
        await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
        Assert.Equal("transcribe: no imported transcript and no whisper model configured (set QA_MODEL)", (await calls.Get(id))!.FailureReason);

        // The operator fixes the cause (here: the platform delivers the transcript late) and retries.
        await node.Services.GetRequiredService<ResultRepository>().SaveTranscript(id, "imported", "zh", null,
            QaPipeline.Scoring.Transcripts.TranscriptFormat.ToJson(QaPipeline.Scoring.Transcripts.TranscriptFormat.Parse(TestCalls.GoodDialogue)),
            DateTime.UtcNow);
        Assert.True(await calls.Retry(id));
        await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
        var call = await calls.Get(id);
        Assert.Equal((CallStatus.Scored, null), (call!.Status, call.FailureReason));
        var transcribe = (await calls.Stages(id)).Single(s => s.Stage == Stage.Transcribe);
        Assert.Equal(("skipped", 2), (transcribe.State, transcribe.Attempts));
        await node.StopAsync();
    }

    [Fact]
    public async Task Hung_or_failing_external_analysers_park_their_call_with_a_readable_reason_and_the_rest_continue()
    {
        var db = engines.NewDatabase("sqlite");
        var dir = TestCalls.TempDir("qa-tools");
        var options = TestCalls.Options(db, dir);
        options.AnalyzeAudio = true;
        options.AnalyzeTimeout = TimeSpan.FromSeconds(3); // room for a loaded CI machine to start the "fine" script
        // An external analyser (QA_ANALYZE) that hangs on one call, reports a missing tool on another (exit 2, the CLI's
        // bad-input code) and prints acoustic facts for the third. The worker, queue and database are the real ones.
        var script = Path.Combine(dir, "analyze.sh");
        File.WriteAllText(script, """
            #!/bin/sh
            mode=$(cat "$(dirname "$0")/mode.$(basename "$1")" 2>/dev/null)
            [ "$mode" = hang ] && exec sleep 30
            [ "$mode" = noffmpeg ] && { echo "qa: error: ffmpeg not found on PATH (install ffmpeg)" >&2; exit 2; }
            echo '{"duration_s": 1.0, "channels": 2, "speakers": {"agent": {"speech_s": 0.5, "segments": [[0.1, 0.6]]}, "customer": {"speech_s": 0, "segments": []}}, "silences": [], "overlaps": [], "talk_ratio": {"agent": 1.0, "customer": 0.0}}'
            """.Replace("\r", ""));
        options.AnalyzeCommand = ["/bin/sh", script, "{audio}"];
        using var node = await TestCalls.StartNode(options);
        var ids = new Dictionary<string, IngestResult>();
        foreach (var (name, seed) in new[] { ("hang", 1), ("noffmpeg", 2), ("fine", 3) })
        {
            var wav = TestCalls.WriteCall(Path.Combine(dir, "in"), name, seed);
            var stored = Path.GetFileName(node.Services.GetRequiredService<RecordingStore>()
                .FullPath(TestCalls.StorePathOf(wav)));
            File.WriteAllText(Path.Combine(dir, "mode." + stored), name);
            ids[name] = await TestCalls.IngestFile(node.Services, wav);
        }
        var calls = node.Services.GetRequiredService<CallRepository>();
        await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
        Assert.Equal("analyse: QA_ANALYZE command did not finish within 3 s (killed, tried twice)", (await calls.Get(ids["hang"].CallId))!.FailureReason);
        Assert.Equal("analyse: QA_ANALYZE command: qa: error: ffmpeg not found on PATH (install ffmpeg)", (await calls.Get(ids["noffmpeg"].CallId))!.FailureReason);
        Assert.Equal(CallStatus.Scored, (await calls.Get(ids["fine"].CallId))!.Status);
        Assert.NotNull(await node.Services.GetRequiredService<ResultRepository>().AcousticFactsJson(ids["fine"].CallId));
        await node.StopAsync();
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Rescoring_with_a_new_rubric_version_adds_scorecards_and_keeps_the_old_ones(string engine)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-rescore");
        var options = TestCalls.Options(db, dir);
        using var node = await TestCalls.StartNode(options);
        var id = (await TestCalls.IngestFile(node.Services, TestCalls.WriteCall(Path.Combine(dir, "in"), "call", 1))).CallId;
        await TestCalls.WaitForIdle(node.Services.GetRequiredService<CallRepository>(), TimeSpan.FromSeconds(60));
        await node.StopAsync();

        var v2 = Path.Combine(dir, "zh-CN-v2.yaml");
        var yaml = File.ReadAllText(TestCalls.Rubric);
        var version = System.Text.RegularExpressions.Regex.Match(yaml, @"(?m)^version:\s*(\S+)").Groups[1].Value.Trim('"', '\'');
        File.WriteAllText(v2, System.Text.RegularExpressions.Regex.Replace(yaml, @"(?m)^version:.*$", "version: rescore-test-2"));
        var stages = node.Services.GetRequiredService<CallStages>();
        var (card, created) = await stages.ScoreAgainst(id, v2, CancellationToken.None);
        var (_, createdAgain) = await stages.ScoreAgainst(id, v2, CancellationToken.None);
        Assert.True(created);
        Assert.False(createdAgain);
        var history = await node.Services.GetRequiredService<ResultRepository>().ScorecardHistory(id);
        Assert.Equal([version, "rescore-test-2"], history.Select(h => h.RubricVersion));
        Assert.Equal([false, true], history.Select(h => h.IsCurrent));
        Assert.Equal(card.Id, history[1].Id);
        // Transcription did not run again.
        Assert.Equal(1, (await node.Services.GetRequiredService<CallRepository>().Stages(id)).Single(s => s.Stage == Stage.Transcribe).Attempts);
    }

    [Fact]
    public async Task Missing_or_hanging_ffmpeg_parks_the_call_with_a_readable_reason_and_the_rest_continue()
    {
        var dir = TestCalls.TempDir("qa-ffmpeg");
        var hanging = Path.Combine(dir, "ffmpeg-hangs");
        File.WriteAllText(hanging, "#!/bin/sh\nexec sleep 60\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var outcomes = new Dictionary<string, string?>();
        foreach (var (label, ffprobe, ffmpeg) in new[]
                 {
                     ("missing", "/nonexistent/ffprobe", "/nonexistent/ffmpeg"),
                     ("hanging", "ffprobe", hanging),
                     ("working", "ffprobe", "ffmpeg"),
                 })
        {
            var options = TestCalls.Options(engines.NewDatabase("sqlite"), Path.Combine(dir, label));
            options.AnalyzeAudio = true;
            options.FfprobePath = ffprobe;
            options.FfmpegPath = ffmpeg;
            options.FfmpegStallTimeout = TimeSpan.FromSeconds(5); // room for a loaded CI machine to start ffprobe/ffmpeg
            using var node = await TestCalls.StartNode(options);
            var id = (await TestCalls.IngestFile(node.Services, TestCalls.WriteCall(Path.Combine(dir, label, "in"), "call", 1))).CallId;
            var calls = node.Services.GetRequiredService<CallRepository>();
            await TestCalls.WaitForIdle(calls, TimeSpan.FromSeconds(60));
            var call = await calls.Get(id);
            outcomes[label] = call!.Status == CallStatus.Failed ? call.FailureReason : call.Status;
            await node.StopAsync();
        }
        // A WAV's header is read in process: the first executable the stage needs is ffmpeg.
        Assert.StartsWith("analyse: /nonexistent/ffmpeg was not found or cannot run", outcomes["missing"]);
        Assert.Contains("install the Debian package 'ffmpeg'", outcomes["missing"]);
        Assert.StartsWith("analyse: ", outcomes["hanging"]);
        Assert.Contains("5 s", outcomes["hanging"]);
        Assert.Equal(CallStatus.Scored, outcomes["working"]);
    }
}
