using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>A deduction rubric (扣分标准): categories with weights that add up to the maximum score,
/// and items that each deduct points (or zero the call, if fatal) when the agent breaks them.</summary>
public sealed record Rubric(
    string Id,
    string Version,
    string Language,
    string Name,
    double MaxScore,
    double PassScore,
    IReadOnlyList<RubricCategory> Categories,
    IReadOnlyList<RubricItem> Items,
    ScoringSettings Settings,
    IReadOnlyList<KnowledgeTopic> Knowledge)
{
    public RubricCategory Category(string id) => Categories.First(c => c.Id == id);

    /// <summary>The rubric's call reasons (YAML <c>call_reasons</c>): tags, not scored.</summary>
    public IReadOnlyList<CallReason> CallReasons { get; init; } = [];

    /// <summary>The learned second-opinion model the rubric names (YAML <c>opinion</c>, a path relative to the
    /// rubric file); read by the loader outside the core, which attaches it as <see cref="Opinion"/>.</summary>
    public string? OpinionFile { get; init; }

    /// <summary>The parsed second opinion, when the loader attached one: where it confidently contradicts a
    /// phrase rule on a line, the item goes to review.</summary>
    public Matching.LineOpinion? Opinion { get; init; }
}

public sealed record RubricCategory(string Id, string Name, double Weight);

/// <summary>One line of the deduction sheet. <see cref="Source"/> cites the seed-manual clause it comes from.</summary>
public sealed record RubricItem(
    string Id,
    string Category,
    string Description,
    string Source,
    double Deduction,
    bool Fatal,
    SpeakerRole Speaker,
    Rule Rule,
    IReadOnlyList<NaCondition> NaWhen)
{
    /// <summary>The description in English and in Chinese for the UI's two languages (YAML <c>description_en</c>,
    /// <c>description_zh</c>); null where the rubric gives none, and the UI shows <see cref="Description"/>.</summary>
    public string? DescriptionEn { get; init; }
    public string? DescriptionZh { get; init; }
}

/// <summary>When an item does not apply to a call (N/A): the speaker never spoke, the call is too short
/// to judge, timing or acoustic facts are missing, or the recording cannot tell agent from customer.</summary>
public sealed record NaCondition(string Kind, int Value = 0)
{
    public static readonly IReadOnlyList<string> Kinds =
        ["no_speaker_turns", "agent_turns_below", "no_timing", "no_acoustic_facts", "roles_unknown"];
}

/// <summary>Rubric-wide thresholds for when the engine must hand an item to a human.</summary>
public sealed record ScoringSettings(
    double DefaultSimilarity = 0.85,
    double ReviewMargin = 0.1,
    double ReviewBelowConfidence = 0.6,
    double LowAsrConfidence = 0.7,
    double ReviewBelowRoleConfidence = 0.7);

/// <summary>A configured fact the agent must state correctly when the customer asks about the topic
/// (e.g. the refund period). Facts are numbers with a unit, or phrases.</summary>
public sealed record KnowledgeTopic(
    string Id,
    PhraseSet Questions,
    int? FactNumber,
    string? FactUnit,
    PhraseSet? FactPhrases,
    PhraseSet? ContradictingPhrases,
    int WithinTurns);
