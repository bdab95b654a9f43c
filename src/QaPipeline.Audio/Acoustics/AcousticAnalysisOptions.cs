using QaPipeline.Audio.Separation;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Audio.Acoustics;

/// <summary>Thresholds of the acoustic analysis; defaults follow the <c>qa analyze</c> contract.</summary>
public sealed record AcousticAnalysisOptions
{
    public AgentChannel AgentChannel { get; init; } = AgentChannel.Left;

    /// <summary>Dead air: nobody speaks for at least this long (leading and trailing silence excluded).</summary>
    public double MinSilenceSeconds { get; init; } = 3.0;

    /// <summary>Both parties speaking for at least this long counts as talking over each other.</summary>
    public double MinOverlapSeconds { get; init; } = 0.5;

    /// <summary>A speaker's own pauses shorter than this do not give up the floor: a 200 ms breath in the middle
    /// of a sentence must not make the other party the "interrupter" of the rest of it.</summary>
    public double FloorGapSeconds { get; init; } = 0.5;

    /// <summary>A monologue continues across the speaker's own pauses up to this long.</summary>
    public double MonologuePauseSeconds { get; init; } = 2.0;

    /// <summary>The other party's speech up to this long ("嗯", "对", "okay") is a backchannel, not a turn, and does
    /// not end a monologue.</summary>
    public double BackchannelSeconds { get; init; } = 1.0;

    /// <summary>Silences at least this long are reported as hold candidates.</summary>
    public double HoldMinSeconds { get; init; } = 30.0;

    /// <summary>On a mono call, the role of the voice heard first: the agent answers an inbound call, the customer
    /// answers an outbound one (from the call's direction, or <c>--first-speaker</c>).</summary>
    public SpeakerRole FirstSpeaker { get; init; } = SpeakerRole.Agent;

    /// <summary>How mono calls are split into two voices.</summary>
    public SpeakerSeparationOptions Separation { get; init; } = new();
}
