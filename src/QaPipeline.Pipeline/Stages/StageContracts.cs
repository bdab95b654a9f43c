using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Stages;

/// <summary>The audio stage: voice activity, silences, overlaps, talk ratio of one stored recording.</summary>
public interface IAcousticAnalysis
{
    Task<AcousticFacts> Analyse(string audioPath, CancellationToken ct);

    /// <summary>The same, telling a mono call's separation who speaks first (the customer, on an outbound call).</summary>
    Task<AcousticFacts> Analyse(string audioPath, SpeakerRole firstSpeaker, CancellationToken ct) => Analyse(audioPath, ct);
}

/// <summary>The speech stage: a transcript of one stored recording (whisper.cpp).</summary>
public interface ISpeechToText
{
    Task<Transcript> Transcribe(string audioPath, CancellationToken ct);

    /// <summary>The same for a mono call whose voices the audio stage separated: <paramref name="factsPath"/> is its
    /// acoustic facts JSON, whose speaker turns are transcribed one by one so the segments carry the roles.</summary>
    Task<Transcript> Transcribe(string audioPath, string? factsPath, CancellationToken ct) => Transcribe(audioPath, ct);
}

/// <summary>A rubric ready to score with, identified by id, version and the hash of its file.</summary>
public sealed record ScoringRubric(string Id, string Version, string Hash, object Loaded);

/// <summary>What the pipeline stores of a scorecard: the figures it indexes and the scorecard JSON itself.</summary>
public sealed record ScoringResult(double Score, double MaxScore, bool Fatal, IReadOnlyList<string> ReviewItemIds, string Json);

/// <summary>The scoring core seen from the pipeline: load a rubric file, score a transcript with optional acoustic facts.</summary>
public interface IRubricScoring
{
    ScoringRubric Load(string rubricPath);
    ScoringResult Score(ScoringRubric rubric, Transcript transcript, AcousticFacts? facts);
}

/// <summary>A failure that will not go away by retrying (unreadable audio, model missing, bad transcript):
/// the call is parked at once with this reason.</summary>
public sealed class PermanentStageFailure(string reason) : Exception(reason);
