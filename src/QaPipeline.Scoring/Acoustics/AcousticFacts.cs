namespace QaPipeline.Scoring.Acoustics;

/// <summary>A stretch of time in seconds.</summary>
public readonly record struct TimeSpanS(double Start, double End)
{
    public double Duration => End - Start;
}

/// <summary>Speech found for one party by voice activity detection.</summary>
public sealed record SpeakerActivity(double SpeechSeconds, IReadOnlyList<TimeSpanS> Segments);

/// <summary>Both parties speaking at once; <see cref="By"/> is who started second (the interrupter):
/// "agent", "customer".</summary>
public sealed record Overlap(double Start, double End, string By);

/// <summary>
/// What the audio stage measured on a recording (the JSON that <c>qa analyze</c> prints). The scorer's
/// acoustic rules read these, so the audio stage plugs in without the core knowing about audio.
/// Speakers are keyed "agent"/"customer" for stereo calls and separated mono ones, "mixed" for mono ones whose
/// voices could not be separated.
/// </summary>
public sealed record AcousticFacts(
    double DurationSeconds,
    int Channels,
    IReadOnlyDictionary<string, SpeakerActivity> Speakers,
    IReadOnlyList<TimeSpanS> Silences,
    IReadOnlyList<Overlap> Overlaps,
    IReadOnlyDictionary<string, double> TalkRatio)
{
    /// <summary>A mono recording whose voices could not be separated cannot tell agent from customer:
    /// speaker-dependent items become N/A.</summary>
    public bool RolesKnown => Speakers.ContainsKey("agent");

    /// <summary>Set on mono (and duplicated-mono stereo) recordings: how the two voices were separated, or why
    /// they could not be. Null for true stereo, where the channel is the speaker.</summary>
    public SpeakerSeparationFacts? Separation { get; init; }

    /// <summary>True when the speaker-dependent facts come from separating one channel, not from two channels.</summary>
    public bool RolesEstimated => Separation is { Separated: true };

    /// <summary>Optional extras (longest monologue, hold candidates); see <see cref="CallDynamics"/>.</summary>
    public CallDynamics? Dynamics { get; init; }
}
