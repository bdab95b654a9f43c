using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Stages;

/// <summary>The audio stage: voice activity, silences, overlaps, talk ratio of one stored recording.
/// <paramref name="agentChannel"/> is the call's layout: left, right or mono.</summary>
public interface IAcousticAnalysis
{
    /// <summary><paramref name="firstSpeaker"/> tells a mono call's separation who speaks first (the customer, on an
    /// outbound call).</summary>
    Task<AcousticFacts> Analyse(string audioPath, string agentChannel, SpeakerRole firstSpeaker, CancellationToken ct);
}

/// <summary>What the speech stage knows about a recording before Whisper hears it: the language (zh, en, or auto
/// to detect), the agent's channel (left, right, mono) and the routed rubric whose phrases become Whisper's prompt
/// (null when routing must wait for the detected language); for a separated mono call, the acoustic facts file whose
/// speaker turns are transcribed one by one so the segments carry the roles.</summary>
public sealed record SpeechHints(string Language, string AgentChannel, string? RubricPath, string? SpeakerTurnsPath = null);

/// <summary>The speech stage: a transcript of one stored recording (whisper.cpp).</summary>
public interface ISpeechToText
{
    Task<Transcript> Transcribe(string audioPath, SpeechHints hints, CancellationToken ct);
}

/// <summary>What the pipeline stores of a scorecard: the figures it indexes and the scorecard JSON itself.</summary>
public sealed record ScoringResult(double Score, double MaxScore, bool Fatal, string Json);

/// <summary>The scoring core seen from the pipeline: load a rubric file, score a transcript with optional acoustic facts.</summary>
public interface IRubricScoring
{
    ScoringRubric Load(string rubricPath);
    ScoringResult Score(ScoringRubric rubric, Transcript transcript, AcousticFacts? facts);
}

/// <summary>A failure that will not go away by retrying (unreadable audio, model missing, bad transcript):
/// the call is parked at once with this reason.</summary>
public sealed class PermanentStageFailure(string reason) : Exception(reason);
