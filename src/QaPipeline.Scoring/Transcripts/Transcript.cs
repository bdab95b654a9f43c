namespace QaPipeline.Scoring.Transcripts;

/// <summary>Who said a segment. Stereo call-centre recordings put each party on its own channel,
/// so the channel is the speaker; a mono recording without roles is <see cref="Mixed"/>.</summary>
public enum SpeakerRole { Agent, Customer, Mixed }

/// <summary>Which channel of a stereo recording carries the agent (the other the customer; telephony platforms differ).
/// Mono: the recorder mixes both parties, so even a two-channel file is one mixed signal.</summary>
public enum AgentChannel { Left, Right, Mono }

/// <summary>Where a transcript came from: our own Whisper run, or imported (a telephony platform's
/// transcript, a sidecar file, a hand-typed dialogue).</summary>
public enum TranscriptSource { Whisper, Imported }

/// <summary>One recognised token with its time and probability (Whisper token timestamps).</summary>
public sealed record TranscriptToken(string Text, double? Start, double? End, double Probability);

/// <summary>One turn or part of a turn. Times are seconds from the start of the call; null when the
/// transcript has no timing (plain-text dialogues). Confidence is 0..1, null when unknown.
/// RoleConfidence (0..1) is how sure speaker separation is that <see cref="Speaker"/> is right, on a mono
/// recording whose roles were separated automatically; null when the channel says who spoke.</summary>
public sealed record TranscriptSegment(
    SpeakerRole Speaker,
    double? Start,
    double? End,
    string Text,
    double? Confidence = null,
    IReadOnlyList<TranscriptToken>? Tokens = null,
    double? RoleConfidence = null);

/// <summary>How a Whisper transcript was made, so a reviewer can judge it and a benchmark can time it.</summary>
public sealed record TranscriptionInfo(
    string? Model,
    double? TotalSeconds,
    double? WhisperSeconds,
    double? AudioSeconds);

/// <summary>The one transcript schema of the product: <c>qa transcribe</c> writes it, <c>qa score</c>,
/// the pipeline and the web app read it.</summary>
public sealed record Transcript(
    IReadOnlyList<TranscriptSegment> Segments,
    TranscriptSource Source = TranscriptSource.Imported,
    string? Language = null,
    string? CallId = null,
    double? DurationSeconds = null,
    TranscriptionInfo? Transcription = null)
{
    /// <summary>True when every segment carries start and end times.</summary>
    public bool IsTimed => Segments.Count > 0 && Segments.All(s => s.Start is not null && s.End is not null);

    public bool HasAgentSpeech => Segments.Any(s => s.Speaker == SpeakerRole.Agent && !string.IsNullOrWhiteSpace(s.Text));
}
