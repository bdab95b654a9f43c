namespace QaPipeline.Scoring.Acoustics;

/// <summary>
/// Measurements beyond the <c>qa analyze</c> contract's fixed fields, written as the optional <c>dynamics</c>
/// object (the contract allows extra fields; the fixed ones are unchanged). Null when the producer did not
/// measure them (e.g. facts parsed from an older file).
/// </summary>
/// <param name="LongestMonologue">Per speaker, the longest stretch they held the floor: their own speech joined
/// across short pauses, not interrupted by the other party taking a turn (backchannels like "嗯" do not count).</param>
/// <param name="HoldCandidates">Long stretches where nobody speaks (music on hold is not speech to the VAD), at
/// least the analyser's hold threshold: the scorer can check whether the agent announced the hold.</param>
public sealed record CallDynamics(
    IReadOnlyDictionary<string, TimeSpanS> LongestMonologue,
    IReadOnlyList<TimeSpanS> HoldCandidates);
