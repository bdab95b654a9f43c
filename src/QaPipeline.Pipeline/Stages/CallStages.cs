using System.Diagnostics;
using Hangfire;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Resilience;
using QaPipeline.Pipeline.Review;
using QaPipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// The Hangfire jobs, one per stage after ingest: analyse → transcribe → score → flag. Each takes a call id,
/// is safe to run twice (a stage already done is skipped, results are stored insert-if-absent, the scorecard
/// is unique per rubric file), records attempts, outcome and timing, and enqueues the next stage.
/// Transcription runs on the "asr" queue so a node can be dedicated to it; the rest is light work.
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
    ReviewFlagPolicy flagPolicy,
    ModelDisagreementFlag modelFlag,
    PipelineOptions options,
    IBackgroundJobClient jobs,
    AuditLog audit,
    TimeProvider clock,
    ILogger<CallStages> log)
{
    [Queue("default")]
    public Task Analyse(long callId) => RunStage(callId, Stage.Analyse, async (call, ct) =>
    {
        if (!options.AnalyzeAudio) return "skipped";
        var facts = await analysis.Analyse(store.FullPath(call.StorePath), ct);
        await results.SaveAcousticFacts(callId, facts.DurationSeconds, AcousticFactsJson.Write(facts), Now, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Transcribe(callId)));

    [Queue("asr")]
    public Task Transcribe(long callId) => RunStage(callId, Stage.Transcribe, async (call, ct) =>
    {
        // A transcript imported with the recording is used as it is: "skipped" says no ASR ran.
        if (await results.Transcript(callId, ct) is not null) return "skipped";
        var transcript = await speech.Transcribe(store.FullPath(call.StorePath), ct) with { Source = TranscriptSource.Whisper };
        var minConfidence = transcript.Segments.Where(s => s.Confidence is not null).Select(s => s.Confidence).Min();
        await results.SaveTranscript(callId, "whisper", transcript.Language, minConfidence,
            TranscriptFormat.ToJson(transcript with { CallId = transcript.CallId ?? call.ExternalCallId }), Now, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Score(callId)));

    [Queue("default")]
    public Task Score(long callId) => RunStage(callId, Stage.Score, async (call, ct) =>
    {
        await ScoreAgainst(callId, options.RubricPath, ct);
        return "succeeded";
    }, () => jobs.Enqueue<CallStages>(j => j.Flag(callId)));

    [Queue("default")]
    public Task Flag(long callId) => RunStage(callId, Stage.Flag, async (call, ct) =>
    {
        var card = await results.CurrentScorecard(callId, ct) ?? throw new PermanentStageFailure("no scorecard to flag");
        await FlagScorecard(call, card, ct);
        await calls.MarkScored(callId, ct);
        return "succeeded";
    }, next: null);

    /// <summary>Scores the stored transcript (and facts) against a rubric file; used by the score stage and by rescoring.</summary>
    public async Task<(ScorecardRecord Card, bool Created)> ScoreAgainst(long callId, string rubricPath, CancellationToken ct)
    {
        var stored = await results.Transcript(callId, ct) ?? throw new PermanentStageFailure("no transcript stored");
        var transcript = TranscriptFormat.Parse(stored.Json);
        var factsJson = await results.AcousticFactsJson(callId, ct);
        var facts = factsJson is null ? null : AcousticFactsJson.Parse(factsJson);
        ScoringRubric rubric;
        try
        {
            rubric = scoring.Load(rubricPath);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or IOException)
        {
            throw new PermanentStageFailure($"rubric {rubricPath}: {e.Message}");
        }
        var result = scoring.Score(rubric, transcript, facts);
        var (id, created) = await results.AddScorecard(callId, rubric.Id, rubric.Version, rubric.Hash, result.Score, result.MaxScore,
            result.Fatal, result.Json, Now, ct);
        var card = (await results.CurrentScorecard(callId, ct))!;
        Debug.Assert(card.Id == id);
        return (card, created);
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
            log.LogWarning("call {CallId} parked at {Stage}: {Reason}", callId, stage, reason);
            await calls.StageFinished(callId, stage, "failed", watch.ElapsedMilliseconds, reason, Now, ct);
            await calls.Park(callId, stage, reason, ct);
            await audit.Write("pipeline", "park", "call", callId.ToString(), $"{stage}: {reason}", Now, ct);
            return;
        }
        await calls.StageFinished(callId, stage, state, watch.ElapsedMilliseconds, null, Now, ct);
        Enqueue(next);
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
