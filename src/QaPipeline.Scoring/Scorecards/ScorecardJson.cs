using System.Text.Json.Serialization;
using QaPipeline.Scoring.Contracts;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>The scorecard JSON of the CLI contract (<c>qa score</c>); also what the pipeline stores.</summary>
public static class ScorecardJson
{
    public static string Write(Scorecard card, bool indented = false, string? callId = null) =>
        ContractJson.Write(new ScorecardDocument(callId, card.RubricId, card.RubricVersion, card.Score, card.MaxScore, card.PassScore,
            card.Passed, card.Fatal, card.Items.Select(Item).ToList(), card.Flags.ToList(),
            card.CallReasons.Select(r => new CallReasonDocument(r.Id, r.Name, [Evidence(r.Evidence)])).ToList()), indented, relaxed: true);

    /// <summary>
    /// Reads back what <see cref="Write"/> produced (the stored scorecard), so later readers (the review-priority
    /// model's features) see the scorer's own records rather than a second schema. <see cref="Scorecard.Passed"/> is
    /// derived, and <c>call_id</c> is not part of the scorecard; both are ignored. Throws <see cref="FormatException"/>.
    /// </summary>
    public static Scorecard Parse(string json)
    {
        var root = ContractJson.Read(json, ContractJson.Scorecard, "scorecard: not valid JSON");
        var items = (root.Items ?? throw Missing("items")).Select(i => ParseItem(i ?? throw new FormatException("scorecard: an item is not an object"))).ToList();
        // Scorecards stored before call reasons existed have none.
        var reasons = (root.CallReasons ?? []).Select(r =>
        {
            if (r is null) throw new FormatException("scorecard: a call reason is not an object");
            var evidence = (r.Evidence ?? []).Select(ParseEvidence).FirstOrDefault()
                           ?? throw new FormatException("scorecard: a call reason has no evidence");
            return new DetectedReason(r.Id ?? throw Missing("id"), r.Name ?? throw Missing("name"), evidence);
        }).ToList();
        return new Scorecard(root.Rubric ?? throw Missing("rubric"), root.RubricVersion ?? throw Missing("rubric_version"),
            root.Score ?? throw Missing("score"), root.MaxScore ?? throw Missing("max_score"), root.PassScore ?? throw Missing("pass_score"),
            root.Fatal ?? throw Missing("fatal"), items, (root.Flags ?? []).Select(f => f ?? throw Missing("flags")).ToList())
        {
            CallReasons = reasons,
        };
    }

    private static ItemVerdict ParseItem(ItemDocument o)
    {
        var verdictText = o.Verdict ?? throw Missing("verdict");
        var verdict = DomainWords.ParseVerdict(verdictText) ?? throw new FormatException($"scorecard: unknown verdict '{verdictText}'");
        SearchWindow? window = o.Window is { } w
            ? new SearchWindow(Speaker(w.Speaker ?? throw Missing("speaker")), w.FirstTurn ?? throw Missing("first_turn"),
                w.LastTurn ?? throw Missing("last_turn"), w.Start, w.End)
            : null;
        return new ItemVerdict(o.Id ?? throw Missing("id"), o.Category ?? throw Missing("category"), verdict,
            o.Deduction ?? throw Missing("deduction"), o.Fatal ?? throw Missing("fatal"), o.Reason ?? throw Missing("reason"),
            (o.Evidence ?? []).Select(ParseEvidence).ToList(), window, o.Strength, o.Confidence);
    }

    private static Evidence ParseEvidence(EvidenceDocument? e)
    {
        if (e is null) throw new FormatException("scorecard: evidence is not an object");
        return new Evidence(Speaker(e.Speaker ?? throw Missing("speaker")), e.Start, e.End, e.Text ?? throw Missing("text"),
            e.Turn ?? throw Missing("turn"), e.Phrase, e.Similarity, e.Words);
    }

    private static SpeakerRole Speaker(string text) =>
        DomainWords.ParseSpeaker(text) ?? throw new FormatException($"scorecard: unknown speaker '{text}'");

    private static FormatException Missing(string name) => new($"scorecard: '{name}' missing");

    private static ItemDocument Item(ItemVerdict v) => new(v.Id, v.Category, v.Verdict.Word(), v.Deduction, v.Fatal, v.Reason,
        v.Evidence.Select(Evidence).ToList(),
        v.Window is { } w ? new WindowDocument(w.Speaker.Word(), w.FirstTurn, w.LastTurn, w.Start, w.End) : null,
        v.Strength, v.Confidence);

    private static EvidenceDocument Evidence(Evidence e) =>
        new(e.Speaker.Word(), e.Start, e.End, e.Text, e.Turn, e.Phrase, e.Similarity, e.Words);
}

// The scorecard contract, in the order the CLI contract prints it. Fields a reader needs are checked by ScorecardJson.Parse
// (a missing one is named); optional ones are left out when empty, as they always were.

internal sealed record ScorecardDocument(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CallId,
    string? Rubric, string? RubricVersion, double? Score, double? MaxScore, double? PassScore, bool? Passed, bool? Fatal,
    IReadOnlyList<ItemDocument?>? Items, IReadOnlyList<string?>? Flags, IReadOnlyList<CallReasonDocument?>? CallReasons);

internal sealed record ItemDocument(
    string? Id, string? Category, string? Verdict, double? Deduction, bool? Fatal, string? Reason, IReadOnlyList<EvidenceDocument?>? Evidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WindowDocument? Window,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Strength,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Confidence);

internal sealed record WindowDocument(string? Speaker, int? FirstTurn, int? LastTurn, double? Start, double? End);

internal sealed record EvidenceDocument(
    string? Speaker, double? Start, double? End, string? Text, int? Turn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Phrase,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Similarity,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Words);

internal sealed record CallReasonDocument(string? Id, string? Name, IReadOnlyList<EvidenceDocument?>? Evidence);
