using Node = QaPipeline.Scoring.Rubrics.YamlField;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>
/// The routing loader: parses and validates <c>routing.yaml</c> the way rubrics are validated, with errors that
/// name the file, line and field. Pure — the caller reads the file and says which rubric ids exist.
/// <code>
/// rules:
///   - name: outbound sales
///     when: { direction: outbound }
///     rubric: outbound-zh-CN
///   - name: English hotline
///     when: { queue: [international, "intl-*"], language: en }
///     rubric: en-US
/// default: zh-CN
/// </code>
/// A misrouted line scores a whole team against the wrong sheet without anyone noticing, so anything that cannot
/// be what the author meant is an error: an unknown field or rubric, a value a field never takes, a rule that can
/// never match because an earlier one takes all its calls (a duplicate is the plainest case), a default no call
/// can reach.
/// </summary>
public static class RoutingParser
{
    public const string FileName = "routing.yaml";

    private static readonly IReadOnlyDictionary<string, string[]> ClosedValues = new Dictionary<string, string[]>
    {
        ["direction"] = ["inbound", "outbound"],
        ["language"] = ["zh", "en"],
    };

    public static RubricRouting Parse(byte[] utf8, string sourceName, IReadOnlyCollection<string> knownRubricIds) =>
        Parse(Node.DecodeUtf8(utf8, sourceName), sourceName, knownRubricIds);

    /// <param name="knownRubricIds">The ids of the rubrics beside the routing file; a rule naming another is an error.</param>
    public static RubricRouting Parse(string yaml, string sourceName, IReadOnlyCollection<string> knownRubricIds)
    {
        var root = Node.LoadMapping(yaml, sourceName, "routing must be a YAML mapping (rules, default)");
        root.AllowOnly("rules", "default");
        var rules = new List<RoutingRule>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (root.Get("rules") is { } rulesNode)
        {
            foreach (var ruleNode in rulesNode.Items("rules"))
            {
                var rule = Rule(ruleNode, knownRubricIds);
                if (names.TryGetValue(rule.Name, out var firstLine))
                    throw ruleNode.Require("name").Error($"duplicate rule name '{rule.Name}' (first used on line {firstLine})");
                names[rule.Name] = rule.Line;
                for (var i = 0; i < rules.Count; i++)
                {
                    var earlier = rules[i];
                    if (SameConditions(earlier, rule))
                        throw ruleNode.Error($"duplicate rule: same conditions as rules[{i}] '{earlier.Name}' (line {earlier.Line})");
                    if (Covers(earlier, rule))
                        throw ruleNode.Error($"unreachable rule: every call it matches is taken first by rules[{i}] '{earlier.Name}' (line {earlier.Line})");
                }
                rules.Add(rule);
            }
        }
        var defaultNode = root.Require("default");
        var defaultId = KnownRubric(defaultNode, knownRubricIds);
        if (rules.FirstOrDefault(MatchesEveryCall) is { } catchAll)
            throw defaultNode.Error($"unreachable default: rule '{catchAll.Name}' (line {catchAll.Line}) matches every call; " +
                                    $"make '{catchAll.RubricId}' the default instead");
        return new RubricRouting(rules, defaultId);
    }

    private static RoutingRule Rule(Node n, IReadOnlyCollection<string> knownRubricIds)
    {
        n.AllowOnly("name", "when", "rubric");
        var name = n.Require("name").Str().Trim();
        if (name == RubricRouting.DefaultRule || name == RubricRouting.OverrideRule)
            throw n.Require("name").Error($"'{name}' is reserved (scorecards use it for the default and for a rubric named in the call's metadata)");
        var whenNode = n.Require("when");
        whenNode.AllowOnly([.. RubricRouting.Fields]);
        var when = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var field in RubricRouting.Fields)
        {
            if (whenNode.Get(field) is not { } valuesNode) continue;
            var values = valuesNode.StrList().Select(v => v.Trim()).ToList();
            if (ClosedValues.TryGetValue(field, out var allowed))
                foreach (var v in values.Where(v => !v.Contains('*') && !allowed.Contains(v, StringComparer.OrdinalIgnoreCase)))
                    throw valuesNode.Error($"{field} is never '{v}' (a call's {field} is {string.Join(" or ", allowed)})");
            when[field] = values;
        }
        if (when.Count == 0) throw whenNode.Error($"a rule needs at least one condition ({string.Join(", ", RubricRouting.Fields)})");
        return new RoutingRule(name, n.Line, when, KnownRubric(n.Require("rubric"), knownRubricIds));
    }

    private static string KnownRubric(Node n, IReadOnlyCollection<string> known)
    {
        var id = n.Str().Trim();
        if (!known.Contains(id))
            throw n.Error($"unknown rubric '{id}' (known: {(known.Count == 0 ? "none" : string.Join(", ", known.Order(StringComparer.Ordinal)))})");
        return id;
    }

    private static bool MatchesEveryCall(RoutingRule rule) => rule.When.Values.All(values => values.Contains("*"));

    private static bool SameConditions(RoutingRule a, RoutingRule b) =>
        a.When.Count == b.When.Count && a.When.All(c => b.When.TryGetValue(c.Key, out var other) &&
            c.Value.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(other));

    /// <summary>True when every call <paramref name="later"/> matches is matched by <paramref name="earlier"/>: each
    /// field the earlier rule checks is checked by the later one too, with values the earlier one accepts.</summary>
    private static bool Covers(RoutingRule earlier, RoutingRule later) =>
        earlier.When.All(c => c.Value.Contains("*") || (later.When.TryGetValue(c.Key, out var values) && values.All(v =>
            v.Contains('*') ? c.Value.Contains(v, StringComparer.OrdinalIgnoreCase) : c.Value.Any(p => RubricRouting.Glob(p, v)))));
}
