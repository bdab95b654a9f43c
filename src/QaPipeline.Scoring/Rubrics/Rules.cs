using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>A set of alternative phrases with its match threshold, and phrases that veto a match when
/// they occur around it (e.g. 还有 turns the opening "有什么可以帮您" into the closing question).
/// <see cref="Review"/> holds the rubric's <c>review_phrases</c>: wider shapes (a yes/no question about a detail,
/// a gap between who and what) that also fit other wording — a line found only by one of them goes to a human
/// instead of passing.</summary>
public sealed record PhraseSet(IReadOnlyList<PhrasePattern> Phrases, double MinSimilarity, IReadOnlyList<PhrasePattern> Unless, PhraseSet? Review = null)
{
    public static PhraseSet Empty { get; } = new([], 1, []);
}

/// <summary>Where a required phrase must occur: within the first (or last) N turns of the speaker, or
/// within the first (or last) S seconds of the call. Either satisfies the window.</summary>
public sealed record TurnWindow(bool FromEnd, int? Turns, double? Seconds);

public abstract record Rule
{
    public abstract string Kind { get; }
}

/// <summary>Any phrase of the set, spoken by the item's speaker inside the window.</summary>
public sealed record RequiredPhraseRule(PhraseSet Phrases, TurnWindow Window) : Rule
{
    public override string Kind => "required_phrase";
}

/// <summary>No phrase of the set (nor text matching a pattern such as a full ID-card number, nor a
/// <see cref="WholeAnswer"/>) anywhere.</summary>
public sealed record ForbiddenPhraseRule(PhraseSet Phrases, IReadOnlyList<System.Text.RegularExpressions.Regex> Patterns, WholeAnswer? WholeAnswer = null) : Rule
{
    public override string Kind => "forbidden_phrase";
}

/// <summary>
/// A phrase that is forbidden only as the speaker's whole answer: one of <see cref="PhraseSet.Phrases"/> (a cold
/// "cannot / not supported / no idea") in a turn of at most <see cref="MaxUnits"/> units where none of
/// <see cref="PhraseSet.Unless"/> occurs anywhere — not only next to it, as other vetoes — outside the phrase's own words
/// (an apology, a way forward, someone to ask: the turn then holds more than a refusal). Phrases and vetoes are matched
/// like any rubric phrase, so ASR homophones neither hide the refusal nor the apology.
/// <see cref="Review"/>: such a turn, found by nothing else, sends the item to a monitor instead of deducting — where
/// a bare answer is a cold refusal or plain information is the guide's hardest boundary.
/// </summary>
public sealed record WholeAnswer(PhraseSet Phrases, int MaxUnits, bool Review = false);

public enum TriggerKind { Phrase, Silence, Digits }

/// <summary>What sets a conditional rule off: a phrase by someone, a silence of at least N seconds, or a
/// number of at least N digits spoken by someone (a phone or order number to read back).</summary>
public sealed record Trigger(TriggerKind Kind, SpeakerRole Speaker, PhraseSet Phrases, double MinSilenceSeconds, int MinDigits);

public enum ResponseDirection { After, Before }

/// <summary>If the trigger happens, the item's speaker must respond with one of the phrases within N of
/// their turns (and, when timed, S seconds) after — or before, for a hold request that must precede a
/// silence. <see cref="EchoDigits"/>: repeating the trigger's digits also counts as the response.</summary>
public sealed record ConditionalRule(Trigger Trigger, PhraseSet Response, int WithinTurns, double? WithinSeconds,
    ResponseDirection Direction, bool IncludeTriggerTurn, bool EchoDigits) : Rule
{
    public override string Kind => "conditional";
}

/// <summary>Share of the speaker's turns that contain a phrase of the set (文明用语比例), at least Min.</summary>
public sealed record RateRule(PhraseSet Phrases, double Min, int MinTurns) : Rule
{
    public override string Kind => "rate";
}

/// <summary>Occurrences of the numerator strings over the denominator strings (您 vs 你), at least Min.
/// Counted on characters, not sound: the point is which character the agent chose. <see cref="Unless"/>
/// strings are removed before counting (你们 is plural, not a discourteous 你).</summary>
public sealed record RatioRule(IReadOnlyList<string> Numerator, IReadOnlyList<string> Denominator, IReadOnlyList<string> Unless, double Min, int MinCount) : Rule
{
    public override string Kind => "ratio";
}

/// <summary>Speaking rate in characters (zh) or words (en) per minute of the speaker's speech, within bounds.</summary>
public sealed record SpeechRateRule(double Min, double Max, double MinSpeechSeconds) : Rule
{
    public override string Kind => "speech_rate";
}

/// <summary>A measured acoustic fact compared with a threshold. <see cref="ExcusedBy"/>: a silence preceded
/// by one of these agent phrases (a hold request) is not dead air.</summary>
public sealed record AcousticRule(AcousticMetric Metric, double? Min, double? Max, double MinSeconds, PhraseSet ExcusedBy) : Rule
{
    public override string Kind => "acoustic";
}

/// <summary>What an acoustic rule measures.</summary>
public enum AcousticMetric
{
    /// <summary>Overlaps the agent started (talking over the customer), at least the rule's <c>min_s</c> long.</summary>
    AgentInterruptions,
    /// <summary>Silences of at least <c>min_s</c> not excused by a hold announcement.</summary>
    DeadAirCount,
    /// <summary>The longest such silence, in seconds.</summary>
    MaxSilenceS,
    /// <summary>The agent's share of the speech (0–1).</summary>
    AgentTalkRatio,
    /// <summary>The agent's longest turn, in seconds.</summary>
    LongestAgentMonologueS,
}

/// <summary>The metrics' names as rubric files write them (<c>metric: max_silence_s</c>).</summary>
public static class AcousticMetrics
{
    private static readonly (AcousticMetric Metric, string Name)[] Names =
    [
        (AcousticMetric.AgentInterruptions, "agent_interruptions"), (AcousticMetric.DeadAirCount, "dead_air_count"),
        (AcousticMetric.MaxSilenceS, "max_silence_s"), (AcousticMetric.AgentTalkRatio, "agent_talk_ratio"),
        (AcousticMetric.LongestAgentMonologueS, "longest_agent_monologue_s"),
    ];

    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToList();

    public static string Name(this AcousticMetric metric) => Names.First(n => n.Metric == metric).Name;

    public static AcousticMetric? Parse(string name) => Names.FirstOrDefault(n => n.Name == name) is { Name: not null } found ? found.Metric : null;

    /// <summary>Silence belongs to nobody: these metrics can be judged on a recording that cannot tell the parties apart.</summary>
    public static bool SpeakerIndependent(this AcousticMetric metric) => metric is AcousticMetric.DeadAirCount or AcousticMetric.MaxSilenceS;
}

/// <summary>Checks the agent's answers against the rubric's knowledge topics.</summary>
public sealed record KnowledgeRule : Rule
{
    public override string Kind => "knowledge";
}
