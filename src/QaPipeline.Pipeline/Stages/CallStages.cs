using System.Diagnostics;
using Hangfire;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Centre.Recordings;
using QaPipeline.Centre.Resilience;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Review;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Pipeline.Flags;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// The Hangfire jobs, one per stage after ingest: analyse → transcribe → score → flag. Each takes a call id,
/// is safe to run twice (a stage already done is skipped, results are stored insert-if-absent, the scorecard
/// is unique per rubric file), records attempts, outcome and timing, and enqueues the next stage.
/// Each stage has its own queue (<see cref="StageQueues"/>): later stages first, so calls finish one by one;
/// transcription's queue is the one an ASR node takes alone.
/// A failure that retrying will not fix parks the call with its reason; a database outage that outlasts the
/// database policy is thrown to Hangfire, whose automatic retry runs the job again later.
/// </summary>
// Hangfire's default back-off grows to minutes by the third attempt; a stage that failed only because the
// database was briefly down should run again within a minute of it coming back, so the first delays are short.
[AutomaticRetry(Attempts = 10, DelaysInSeconds = [10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600])]
public sealed class CallStages(
    CallRepository calls,
    ResultRepository results,
    ReviewFlagRepository flags,
    RecordingStore store,
    IAcousticAnalysis analysis,
    ISpeechToText speech,
    IRubricScoring scoring,
    RubricLibrary rubrics,
    ReviewFlagPolicy flagPolicy,
    ModelDisagreementFlag modelFlag,
    PipelineOptions options,
    IBackgroundJobClient jobs,
    AuditLog audit,
    TimeProvider clock,
    PipelineMetrics metrics,
    QueueSweeper sweeper,
    ILogger<CallStages> log)
{
    [Queue(StageQueues.Analyse)]
    public Task Analyse(long callId) => RunStage(callId, Stage.Analyse, async (call, ct) =>
    {
        if (!options.AnalyzeAudio) return "skipped";
        // On a mono call the first voice is the agent's when the customer rang in, the customer's when the agent rang out.
        var firstSpeaker = string.Equals(call.Direction, "outbound", StringComparison.OrdinalIgnoreCase) ? SpeakerRole.Customer : SpeakerRole.Agent;
        var facts = await analysis.Analyse(store.FullPath(call.StorePath), call.AgentChannel ?? AgentChannels.Left, firstSpeaker, ct);
        await results.SaveAcousticFacts(callId, facts.DurationSeconds, AcousticFactsJson.Write(facts), Now, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Transcribe(callId)));

    [Queue(StageQueues.Transcribe)]
    public Task Transcribe(long callId) => RunStage(callId, Stage.Transcribe, async (call, ct) =>
    {
        // A transcript imported with the recording is used as it is: "skipped" says no ASR ran.
        if (await results.Transcript(callId, ct) is not null) return "skipped";
        var transcript = await TranscribeRecording(call, store.FullPath(call.StorePath), ct) with { Source = TranscriptSource.Whisper };
        var minConfidence = transcript.Segments.Where(s => s.Confidence is not null).Select(s => s.Confidence).Min();
        await results.SaveTranscript(callId, "whisper", transcript.Language, minConfidence,
            TranscriptFormat.ToJson(transcript with { CallId = transcript.CallId ?? call.ExternalCallId }), Now, ct);
        if (call.Language is null && TranscriptLanguage.Normalize(transcript.Language) is { } detected)
            await calls.SetLanguage(callId, detected, LanguageSource.Whisper, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Score(callId)));

    [Queue(StageQueues.Score)]
    public Task Score(long callId) => RunStage(callId, Stage.Score, async (call, ct) =>
    {
        await RouteAndScore(call, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Flag(callId)));

    [Queue(StageQueues.Flag)]
    public Task Flag(long callId) => RunStage(callId, Stage.Flag, async (call, ct) =>
    {
        var card = await results.CurrentScorecard(callId, ct) ?? throw new PermanentStageFailure("no scorecard to flag");
        await FlagScorecard(call, card, ct);
        await calls.MarkScored(callId, ct);
        metrics.CallScored();
        return "succeeded";
    }, next: null);

    /// <summary>A mono call whose voices the audio stage separated is transcribed turn by turn (its facts handed to
    /// the speech tool in a temporary file), so the segments carry the roles; any other call channel by channel.</summary>
    private async Task<Transcript> TranscribeRecording(CallRecord call, string audioPath, CancellationToken ct)
    {
        var hints = SpeechHintsFor(call);
        var factsJson = await results.AcousticFactsJson(call.Id, ct);
        if (factsJson is null || !AcousticFactsJson.Parse(factsJson).RolesEstimated) return await speech.Transcribe(audioPath, hints, ct);
        var factsPath = Path.Combine(Path.GetTempPath(), $"qa-call-{call.Id}-{Guid.NewGuid():N}.facts.json");
        try
        {
            await File.WriteAllTextAsync(factsPath, factsJson, ct);
            return await speech.Transcribe(audioPath, hints with { SpeakerTurnsPath = factsPath }, ct);
        }
        finally
        {
            File.Delete(factsPath);
        }
    }

    /// <summary>
    /// What Whisper is told about a call: its language (auto when not given), its agent channel, and the routed
    /// rubric for the prompt. Without a language the rubric is known only when no language could change it (an
    /// outbound rule before the language rules); otherwise Whisper runs without a prompt and routing follows its
    /// detected language at the score stage.
    /// </summary>
    public SpeechHints SpeechHintsFor(CallRecord call)
    {
        var decision = call.RubricOverride is { } id ? RoutingDecision.Override(id) : RoutingFor(call).RouteWithoutLanguage(LineOf(call, call.Language));
        return new SpeechHints(call.Language ?? "auto", call.AgentChannel ?? AgentChannels.Left,
            decision is null ? null : rubrics.PathOf(decision.RubricId, call.StartedAt ?? call.IngestedAt));
    }

    /// <summary>
    /// The score stage and re-scoring without a rubric: find the call's language when it came without one (the
    /// agent's script in an imported transcript, Whisper's detected language otherwise) and store it with the call,
    /// route to the line's rubric (or the one the metadata named), and score.
    /// </summary>
    public async Task<(ScorecardRecord Card, bool Created)> RouteAndScore(CallRecord call, CancellationToken ct)
    {
        var language = call.Language;
        if (language is null && await results.Transcript(call.Id, ct) is { } stored)
        {
            var transcript = TranscriptFormat.Parse(stored.Json);
            var (found, source) = transcript.Source == TranscriptSource.Whisper && TranscriptLanguage.Normalize(transcript.Language) is { } heard
                ? (heard, LanguageSource.Whisper)
                : (TranscriptLanguage.Detect(transcript) ?? TranscriptLanguage.Normalize(transcript.Language), LanguageSource.Transcript);
            if (found is not null)
            {
                await calls.SetLanguage(call.Id, found, source, ct);
                language = found;
            }
        }
        RoutingDecision decision;
        string rubricPath;
        try
        {
            decision = call.RubricOverride is { } id ? RoutingDecision.Override(id) : RoutingFor(call).Route(LineOf(call, language));
            rubricPath = rubrics.PathOf(decision.RubricId, call.StartedAt ?? call.IngestedAt);
        }
        catch (RubricException e)
        {
            throw new PermanentStageFailure(e.Message);
        }
        return await ScoreAgainst(call.Id, rubricPath, ct, decision.Rule);
    }

    private RubricRouting RoutingFor(CallRecord call)
    {
        try
        {
            return rubrics.Routing();
        }
        catch (RubricException e)
        {
            throw new PermanentStageFailure($"call {call.Id} cannot be routed: {e.Message}");
        }
    }

    private static CallLine LineOf(CallRecord call, string? language) => new(call.Queue, call.Team, call.Direction, language);

    /// <summary>Scores the stored transcript (and facts) against a rubric file; used by the score stage and by rescoring.
    /// <paramref name="routingRule"/> is kept on the scorecard: which routing rule chose the rubric.</summary>
    public async Task<(ScorecardRecord Card, bool Created)> ScoreAgainst(long callId, string rubricPath, CancellationToken ct,
        string? routingRule = null)
    {
        var rubric = LoadRubric(rubricPath);
        var result = await ScoreStored(callId, rubric, ct);
        var (id, created) = await results.AddScorecard(callId, rubric.Id, rubric.Version, rubric.Hash, result.Score, result.MaxScore,
            result.Fatal, result.Json, Now, ct, routingRule);
        var card = (await results.CurrentScorecard(callId, ct))!;
        Debug.Assert(card.Id == id);
        return (card, created);
    }

    /// <summary>Loads a rubric file for scoring; a rubric that does not load parks the call (retrying will not fix it).</summary>
    public ScoringRubric LoadRubric(string rubricPath)
    {
        try
        {
            return scoring.Load(rubricPath);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or IOException)
        {
            throw new PermanentStageFailure($"rubric {rubricPath}: {e.Message}");
        }
    }

    /// <summary>Scores the call's stored transcript (and acoustic facts) with a rubric and stores nothing: the score
    /// stage saves what this returns; the impact preview (<c>qa rescore --dry-run</c>) only compares it.</summary>
    public async Task<ScoringResult> ScoreStored(long callId, ScoringRubric rubric, CancellationToken ct)
    {
        var stored = await results.Transcript(callId, ct) ?? throw new PermanentStageFailure("no transcript stored");
        var transcript = TranscriptFormat.Parse(stored.Json);
        var factsJson = await results.AcousticFactsJson(callId, ct);
        var facts = factsJson is null ? null : AcousticFactsJson.Parse(factsJson);
        return scoring.Score(rubric, transcript, facts);
    }

    public async Task FlagScorecard(CallRecord call, ScorecardRecord card, CancellationToken ct)
    {
        // Read the stored scorecard and transcript once; both the rule flags and the model flag use them.
        var scorecard = ScorecardJson.Parse(card.Json);
        var transcript = await results.Transcript(call.Id, ct);
        var callTime = call.StartedAt ?? call.IngestedAt;
        var (from, to) = flagPolicy.PeriodBounds(callTime);
        var flaggedBefore = call.AgentId is null ? 0 : await flags.FlaggedCallsOfAgent(call.AgentId, from, to, call.Id, ct);
        var reviewItems = scorecard.Items.Where(i => i.Verdict == Verdict.Review).Select(i => i.Id).ToList();
        var decided = flagPolicy.Decide(new FlagInput(card.Score, card.MaxScore, card.Fatal,
            reviewItems, transcript?.MinConfidence, call.AgentId, callTime, call.ContentHash, flaggedBefore));
        foreach (var flag in decided)
            await flags.Add(call.Id, card.Id, flag.Reason, flag.Detail, Now, ct);
        if (await modelFlag.Decide(call, scorecard, transcript, ct) is { } predicted)
            await flags.Add(call.Id, card.Id, predicted.Reason, predicted.Detail, Now, ct);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // The job queue lives in the same database: enqueueing the next stage rides out an outage like any statement.
    private static readonly Polly.ResiliencePipeline QueueResilience = DatabaseFaults.Retry();

    private async Task RunStage(long callId, string stage, Func<CallRecord, CancellationToken, Task<string>> work, Action? next)
    {
        var ct = CancellationToken.None;
        var call = await calls.Get(callId, ct);
        if (call is null)
        {
            log.LogWarning("call {CallId} does not exist; {Stage} job dropped", callId, stage);
            return;
        }
        if (call.Status == CallStatus.Failed) return; // parked: waits for `qa calls retry`
        var done = (await calls.Stages(callId, ct)).FirstOrDefault(s => s.Stage == stage);
        if (done is { State: "succeeded" or "skipped" })
        {
            Enqueue(next); // the job that recorded it may have died before enqueueing the next stage
            return;
        }
        if (call.Status == CallStatus.Pending) await calls.MarkProcessing(callId, ct);
        var attempt = (done?.Attempts ?? 0) + 1;
        await calls.StageStarted(callId, stage, Now, ct);
        var watch = Stopwatch.StartNew();
        string state;
        try
        {
            state = await work(call, ct);
        }
        catch (Exception e) when (!DatabaseFaults.IsTransient(e))
        {
            var reason = Describe(e);
            await calls.StageFinished(callId, stage, "failed", watch.ElapsedMilliseconds, reason, Now, ct);
            await calls.Park(callId, stage, reason, ct);
            await audit.Write("pipeline", "park", "call", callId.ToString(), $"{stage}: {reason}", Now, ct);
            Finished(callId, stage, "failed", watch.Elapsed, attempt, reason);
            sweeper.Wake(); // a parked call leaves the admission window: the next one may start
            return;
        }
        await calls.StageFinished(callId, stage, state, watch.ElapsedMilliseconds, null, Now, ct);
        Finished(callId, stage, state, watch.Elapsed, attempt, null);
        if (next is null) sweeper.Wake(); // the call is done: its place in the admission window is free
        Enqueue(next);
    }

    /// <summary>The one event per stage run: structured (call id, stage, outcome, duration, attempt) for the logs,
    /// and the same figures for the metrics.</summary>
    private void Finished(long callId, string stage, string outcome, TimeSpan duration, int attempt, string? reason)
    {
        metrics.StageFinished(stage, outcome, duration, attempt);
        if (reason is null)
            log.LogInformation("call {CallId} {Stage} {Outcome} in {DurationMs} ms (attempt {Attempt})",
                callId, stage, outcome, (long)duration.TotalMilliseconds, attempt);
        else
            log.LogWarning("call {CallId} {Stage} {Outcome} in {DurationMs} ms (attempt {Attempt}), parked: {Reason}",
                callId, stage, outcome, (long)duration.TotalMilliseconds, attempt, reason);
    }

    private static void Enqueue(Action? next)
    {
        if (next is not null) QueueResilience.Execute(next);
    }

    private static string Describe(Exception e) => e switch
    {
        PermanentStageFailure or StoreFullException or FormatException => e.Message,
        IOException io when FaultPolicies.IsDiskFull(io) => $"disk full: {io.Message}",
        FileNotFoundException f => $"file missing: {f.FileName ?? f.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
