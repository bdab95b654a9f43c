using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace QaPipeline.Web.Calls;

/// <summary>
/// The scoring core's automatic item reasons in the viewer's language. The core stays as it is — pure, fast, and its
/// stored/CLI <c>reason</c> string unchanged (docs/cli-contract.md) — and writes each reason from a closed set of
/// sentence shapes; this class recognises the shape at display time and renders it from the keyed resources
/// (<c>reason.*</c> in <c>UiText*.resx</c>). Each pattern's groups are the sentence's arguments, named by kind and
/// position: <c>r</c> a nested reason or fragment (rendered the same way), <c>d</c> the rubric item's description (shown
/// in the viewer's language where the rubric has one), <c>s</c> a speaker, <c>m</c> an acoustic metric, <c>n</c> as is
/// (numbers, phrases, ids). The English resources reproduce the core's text exactly, which
/// <c>AutomaticReasonTextTests</c> checks over real scorecards, so a reason the core learns to say and this class
/// does not know fails a test instead of showing English in the Chinese UI.
/// </summary>
public static class AutomaticReasonText
{
    private sealed record Shape(string Key, Regex Pattern)
    {
        public Shape(string key, string pattern) : this(key, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled)) { }
    }

    // Tried in order, the first whose arguments all render wins: "not found"/"missing" before "found", so a description
    // never swallows the "not".
    private static readonly Shape[] Shapes =
    [
        new("reason.low_asr_words", "^(?<r1>.+), but the ASR confidence of those words is low \\((?<n2>[^()]*)\\)$"),
        new("reason.low_asr_searched", "^(?<r1>.+), but some of the speech searched was recognised with low confidence \\((?<n2>[^()]*)\\)$"),
        new("reason.roles_uncertain", "^(?<r1>.+), but who said it is uncertain: the roles were separated automatically from one channel \\(role confidence (?<n2>[^()]*)\\)$"),
        new("reason.nearly_matched", "^(?<d1>.+) only nearly matched (?<r2>(?:in the|within) .+) \\('(?<n3>.*)', similarity (?<n4>[^()]*)\\)$"),
        new("reason.not_found_seen", "^(?<d1>.+) not found (?<r2>in the .+) by the phrase rule, (?<r3>but the learned second opinion .+)$"),
        new("reason.not_found", "^(?<d1>.+) not found (?<r2>in the .+)$"),
        new("reason.missing_seen", "^(?<d1>.+) missing (?<r2>within .+) by the phrase rule, (?<r3>but the learned second opinion .+)$"),
        new("reason.missing", "^(?<d1>.+) missing (?<r2>within .+)$"),
        new("reason.found_doubted", "^(?<d1>.+) found (?<r2>in the .+) \\('(?<n3>.*)'\\), (?<r4>but the learned second opinion .+)$"),
        new("reason.found_doubted_anywhere", "^(?<d1>.+) found \\('(?<n2>.*)'\\), (?<r3>but the learned second opinion .+)$"),
        new("reason.found", "^(?<d1>.+) found (?<r2>in the .+)$"),
        new("reason.given_each_time_one", "^(?<d1>.+) given each time \\((?<n2>1) trigger\\)$"),
        new("reason.given_each_time", "^(?<d1>.+) given each time \\((?<n2>\\d+) triggers\\)$"),
        new("reason.not_triggered", "^not triggered: (?<r1>.+) did not occur$"),
        new("reason.no_silence_facts", "^no timing or acoustic facts to find silences in$"),
        new("reason.roles_unknown", "^the recording does not say who is agent and who is customer$"),
        new("reason.speaker_silent", "^the (?<s1>agent|customer) did not speak in this call$"),
        new("reason.no_timing", "^the transcript has no timing$"),
        new("reason.no_acoustics", "^no acoustic analysis of the recording$"),
        new("reason.few_agent_turns", "^the call has fewer than (?<n1>\\d+) agent turns$"),
        new("reason.no_turn_in_window", "^no (?<s1>agent|customer) turn falls (?<r2>in the .+)$"),
        new("reason.possibly_heard", "^(?<d1>.+) possibly heard, in low-confidence speech$"),
        new("reason.heard", "^(?<d1>.+) heard$"),
        new("reason.occurrence", "^(?<d1>.+): (?<n2>1) occurrence$"),
        new("reason.occurrences", "^(?<d1>.+): (?<n2>\\d+) occurrences$"),
        new("reason.few_turns", "^fewer than (?<n1>\\d+) (?<s2>agent|customer) turns$"),
        new("reason.turn_share", "^(?<d1>.+): (?<n2>\\d+) of (?<n3>\\d+) (?<s4>agent|customer) turns \\((?<n5>[^()]*)\\), minimum (?<n6>.+)$"),
        new("reason.few_occurrences", "^too few occurrences to judge \\((?<n1>\\d+) < (?<n2>\\d+)\\)$"),
        new("reason.ratio", "^(?<d1>.+): (?<n2>.+) in (?<n3>\\d+) of (?<n4>\\d+) \\((?<n5>[^()]*)\\), minimum (?<n6>.+)$"),
        new("reason.no_rate_timing", "^no timing to measure speaking rate$"),
        new("reason.little_speech", "^less than (?<n1>[\\d.]+) s of (?<s2>agent|customer) speech$"),
        new("reason.speaking_rate_chars", "^speaking rate (?<n1>[\\d.]+) characters/min over (?<n2>[\\d.]+) s \\(allowed (?<n3>[\\d.]+)–(?<n4>[\\d.]+)\\)$"),
        new("reason.speaking_rate_words", "^speaking rate (?<n1>[\\d.]+) words/min over (?<n2>[\\d.]+) s \\(allowed (?<n3>[\\d.]+)–(?<n4>[\\d.]+)\\)$"),
        new("reason.no_speech", "^no speech to measure$"),
        new("reason.no_talk_facts", "^no timing or acoustic facts to measure talk ratio$"),
        new("reason.acoustic", "^(?<m1>agent interruptions|dead air count|max silence s|agent talk ratio|longest agent monologue s) = (?<n2>[\\d.]+) \\(allowed (?<n3>[^()]+)\\)$"),
        new("reason.fact_contradicted", "^the agent contradicted the configured fact for '(?<n1>.+)' \\((?<n2>.+)\\)$"),
        new("reason.fact_not_stated", "^the customer asked about '(?<n1>.+)' and the agent did not state (?<n2>.+) within (?<n3>\\d+) turns$"),
        new("reason.no_topics", "^the customer asked about none of the configured knowledge topics$"),
        new("reason.facts_stated_one", "^configured facts stated correctly \\((?<n1>1) question\\)$"),
        new("reason.facts_stated", "^configured facts stated correctly \\((?<n1>\\d+) questions\\)$"),
        new("reason.forbidden_none", "^no (?<d1>.+) found$"),
        new("reason.where.either", "^(?<r1>in the .+?) or (?<r2>in the .+)$"),
        new("reason.where.first_turn", "^in the first (?<n1>1) (?<s2>agent|customer) turn$"),
        new("reason.where.first_turns", "^in the first (?<n1>\\d+) (?<s2>agent|customer) turns$"),
        new("reason.where.last_turn", "^in the last (?<n1>1) (?<s2>agent|customer) turn$"),
        new("reason.where.last_turns", "^in the last (?<n1>\\d+) (?<s2>agent|customer) turns$"),
        new("reason.where.first_seconds", "^in the first (?<n1>[\\d.]+) s$"),
        new("reason.where.last_seconds", "^in the last (?<n1>[\\d.]+) s$"),
        new("reason.where.after_turn", "^within (?<n1>1) (?<s2>agent|customer) turn after (?<r3>.+)$"),
        new("reason.where.after_turns", "^within (?<n1>\\d+) (?<s2>agent|customer) turns after (?<r3>.+)$"),
        new("reason.where.before_turn", "^within (?<n1>1) (?<s2>agent|customer) turn before (?<r3>.+)$"),
        new("reason.where.before_turns", "^within (?<n1>\\d+) (?<s2>agent|customer) turns before (?<r3>.+)$"),
        new("reason.trigger.silence", "^a silence of (?<n1>[\\d.]+) s or more$"),
        new("reason.trigger.digits", "^a number of (?<n1>\\d+)\\+ digits from the (?<s2>agent|customer)$"),
        new("reason.trigger.phrases", "^the (?<s1>agent|customer)'s trigger phrases$"),
        new("reason.opinion.doubts", "^but the learned second opinion \\((?<n1>[^()]+)\\) rates that line (?<n2>[\\d.]+) for this item \\(below (?<n3>[\\d.]+)\\): the phrase rule and the model disagree$"),
        new("reason.opinion.sees", "^but the learned second opinion \\((?<n1>[^()]+)\\) rates turn (?<n2>\\d+) (?<n3>[\\d.]+) for this item \\(above (?<n4>[\\d.]+)\\): the phrase rule and the model disagree$")
    ];

    private static readonly IReadOnlyDictionary<string, string> Speakers = new Dictionary<string, string>
    {
        ["agent"] = "reason.speaker.agent", ["customer"] = "reason.speaker.customer",
    };

    /// <summary>The reason in <paramref name="text"/>'s language; <paramref name="description"/> shows the item's own
    /// description in that language. A reason of no known shape (one stored by an older or newer core) is shown as
    /// stored.</summary>
    public static string Show(string reason, IStringLocalizer text, Func<string, string> description) =>
        Render(reason, text, description) ?? reason;

    /// <summary>The reason rendered from its shape, or null when no shape fits it.</summary>
    public static string? Render(string reason, IStringLocalizer text, Func<string, string> description)
    {
        foreach (var shape in Shapes)
        {
            var m = shape.Pattern.Match(reason);
            if (!m.Success) continue;
            var arguments = Arguments(m, text, description);
            if (arguments is not null) return text[shape.Key, arguments].Value;
        }
        return null;
    }

    private static object[]? Arguments(Match m, IStringLocalizer text, Func<string, string> description)
    {
        var named = m.Groups.Values.Where(g => g.Name.Length > 1 && char.IsLetter(g.Name[0]) && char.IsDigit(g.Name[1])).ToList();
        var arguments = new object[named.Count];
        foreach (var g in named)
        {
            string? shown = g.Name[0] switch
            {
                'r' => Render(g.Value, text, description),
                'd' => description(g.Value),
                's' => Speakers.TryGetValue(g.Value, out var key) ? text[key].Value : null,
                'm' => text["reason.metric." + g.Value.Replace(' ', '_')] is { ResourceNotFound: false } metric ? metric.Value : null,
                _ => g.Value,
            };
            if (shown is null) return null;
            arguments[int.Parse(g.Name[1..]) - 1] = shown;
        }
        return arguments;
    }
}
