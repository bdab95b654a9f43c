namespace QaPipeline.Scoring.Rubrics;

/// <summary>What routing knows about a call: the telephony platform's queue, team and direction, and the
/// language (given with the call or found from its transcript). Null = not known.</summary>
public sealed record CallLine(string? Queue = null, string? Team = null, string? Direction = null, string? Language = null);

/// <summary>The rubric a call is scored with and the rule that chose it (<see cref="RubricRouting.DefaultRule"/>
/// for the final default, <see cref="RubricRouting.OverrideRule"/> when the call's metadata named its rubric).</summary>
public sealed record RoutingDecision(string RubricId, string Rule)
{
    public static RoutingDecision Default(string rubricId) => new(rubricId, RubricRouting.DefaultRule);

    public static RoutingDecision Override(string rubricId) => new(rubricId, RubricRouting.OverrideRule);
}

/// <summary>One line of the routing table: when every condition holds, the call goes to <see cref="RubricId"/>.
/// A condition lists the accepted values of one field; <c>*</c> inside a value matches any run of characters.
/// A field the rule does not name is not checked.</summary>
public sealed record RoutingRule(string Name, int Line, IReadOnlyDictionary<string, IReadOnlyList<string>> When, string RubricId)
{
    public bool Matches(CallLine call) => When.All(c => c.Value.Any(pattern => RubricRouting.Glob(pattern, RubricRouting.Field(call, c.Key))));
}

/// <summary>
/// The centre's lines (<c>scoring-rules/routing.yaml</c>): an ordered list of rules, first match wins, and a final
/// default. Pure: the routing loader builds it, the pipeline asks it which rubric scores a call.
/// </summary>
public sealed record RubricRouting(IReadOnlyList<RoutingRule> Rules, string DefaultRubricId)
{
    public const string DefaultRule = "default";
    public const string OverrideRule = "metadata";

    /// <summary>The fields a rule may match on, in the order the routing table shows them.</summary>
    public static readonly IReadOnlyList<string> Fields = ["queue", "team", "direction", "language"];

    /// <summary>Routing when the centre has no routing file: every call goes to one rubric.</summary>
    public static RubricRouting Single(string rubricId) => new([], rubricId);

    public RoutingDecision Route(CallLine call) =>
        Rules.FirstOrDefault(r => r.Matches(call)) is { } rule ? new(rule.RubricId, rule.Name) : RoutingDecision.Default(DefaultRubricId);

    /// <summary>
    /// The decision when the language is not known yet (a recording still to be transcribed): the rubric if every
    /// language would give the same one (an outbound rule before the language rules, say), else null — the
    /// transcription stage then runs without the rubric's prompt and routing waits for Whisper's language.
    /// </summary>
    public RoutingDecision? RouteWithoutLanguage(CallLine call)
    {
        if (call.Language is not null) return Route(call);
        var outcomes = new[] { null, "zh", "en" }.Select(l => Route(call with { Language = l })).Distinct().ToList();
        return outcomes.Count == 1 ? outcomes[0] : null;
    }

    /// <summary>Every rubric id the table can choose, default included.</summary>
    public IReadOnlyList<string> RubricIds => Rules.Select(r => r.RubricId).Append(DefaultRubricId).Distinct().ToList();

    internal static string? Field(CallLine call, string field) => field switch
    {
        "queue" => call.Queue,
        "team" => call.Team,
        "direction" => call.Direction,
        "language" => call.Language,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    /// <summary>Case-insensitive match with <c>*</c> as any run of characters. A call without a value for the
    /// field matches only a bare <c>*</c>.</summary>
    internal static bool Glob(string pattern, string? value)
    {
        if (pattern == "*") return true;
        if (value is null) return false;
        return GlobAt(pattern.AsSpan(), value.AsSpan());

        static bool GlobAt(ReadOnlySpan<char> p, ReadOnlySpan<char> v)
        {
            while (p.Length > 0)
            {
                if (p[0] == '*')
                {
                    var rest = p[1..];
                    for (var i = 0; i <= v.Length; i++)
                        if (GlobAt(rest, v[i..])) return true;
                    return false;
                }
                if (v.Length == 0 || char.ToUpperInvariant(p[0]) != char.ToUpperInvariant(v[0])) return false;
                p = p[1..];
                v = v[1..];
            }
            return v.Length == 0;
        }
    }
}
