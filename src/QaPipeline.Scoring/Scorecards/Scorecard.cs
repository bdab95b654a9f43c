using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

public enum Verdict { Pass, Fail, Na, Review }

/// <summary>One item's verdict as the scoring rule (<see cref="Scorer.Total"/>) counts it: the deduction a failure costs.</summary>
public readonly record struct ItemOutcome(string Category, Verdict Verdict, double Deduction, bool Fatal);

/// <summary>Words that prove a verdict, with their speaker and time (null times for untimed transcripts).
/// <see cref="Phrase"/> and <see cref="Similarity"/> say which rubric phrase matched and how closely; <see cref="Words"/>
/// is the part of <see cref="Text"/> that matched it (what the call page highlights), null where a whole line is the
/// evidence (a silence, a speech rate) or nothing matched.</summary>
public sealed record Evidence(SpeakerRole Speaker, double? Start, double? End, string Text, int Turn,
    string? Phrase = null, double? Similarity = null, string? Words = null);

/// <summary>Where the engine looked for a phrase that it did not find, so a monitor can check the gap.</summary>
public sealed record SearchWindow(SpeakerRole Speaker, int FirstTurn, int LastTurn, double? Start, double? End);

/// <summary>The automatic verdict on one rubric item. <see cref="Strength"/> is the best match similarity the
/// rule saw (0 when nothing came close); <see cref="Confidence"/> the ASR confidence of the deciding words.
/// Both feed the review-priority model.</summary>
public sealed record ItemVerdict(
    string Id,
    string Category,
    Verdict Verdict,
    double Deduction,
    bool Fatal,
    string Reason,
    IReadOnlyList<Evidence> Evidence,
    SearchWindow? Window = null,
    double? Strength = null,
    double? Confidence = null);

/// <summary>One call scored against one rubric version: every rubric item exactly once.</summary>
public sealed record Scorecard(
    string RubricId,
    string RubricVersion,
    double Score,
    double MaxScore,
    double PassScore,
    bool Fatal,
    IReadOnlyList<ItemVerdict> Items,
    IReadOnlyList<string> Flags)
{
    public bool Passed => !Fatal && Score >= PassScore;

    /// <summary>Why the customer called, as the rubric's call reasons found it; no effect on the score.</summary>
    public IReadOnlyList<DetectedReason> CallReasons { get; init; } = [];
}
