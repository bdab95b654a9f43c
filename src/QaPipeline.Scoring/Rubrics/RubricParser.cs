using System.Globalization;
using System.Text.RegularExpressions;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Transcripts;
using YamlDotNet.RepresentationModel;

using Node = QaPipeline.Scoring.Rubrics.YamlField;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>A rubric or routing file that cannot be used, with the file, line and field at fault.</summary>
public sealed class RubricException(string message) : FormatException(message);

/// <summary>
/// The one rubric loader: parses and validates rubric YAML text. Pure — the caller reads the file.
/// Unknown keys are errors, because a misspelt key in a rubric silently changes how calls are scored.
/// </summary>
public static class RubricParser
{
    private static readonly string[] RuleKinds =
        ["required_phrase", "forbidden_phrase", "conditional", "rate", "ratio", "speech_rate", "acoustic", "knowledge"];

    /// <summary>Parses rubric file contents: strict UTF-8, then <see cref="Parse(string, string)"/>.</summary>
    public static Rubric Parse(byte[] utf8, string sourceName) => Parse(YamlField.DecodeUtf8(utf8, sourceName), sourceName);

    public static Rubric Parse(string yaml, string sourceName)
    {
        var root = YamlField.LoadMapping(yaml, sourceName, "rubric must be a YAML mapping (id, version, categories, items...)");
        return new Reader().Rubric(root);
    }

    private sealed class Reader
    {
        private ScoringSettings _settings = new();

        public Rubric Rubric(Node root)
        {
            root.AllowOnly("id", "version", "language", "name", "max_score", "pass_score", "settings", "slots", "categories", "knowledge", "items",
                "call_reasons", "opinion");
            var id = root.Require("id").Str();
            var version = root.Require("version").Str();
            var language = root.Require("language").Str();
            if (language is not ("zh" or "en")) throw root.Require("language").Error($"language must be zh or en (got '{language}')");
            var name = root.Get("name")?.Str() ?? id;
            var maxScore = root.Get("max_score")?.Num() ?? 100;
            var passScore = root.Get("pass_score")?.Num() ?? maxScore * 0.8;
            if (root.Get("settings") is { } s) _settings = Settings(s);
            if (root.Get("slots") is { } slots) _slots = Slots(slots);

            var categoriesNode = root.Require("categories");
            var categories = categoriesNode.Items("categories").Select(Category).ToList();
            if (categories.Count == 0) throw categoriesNode.Error("at least one category is required");
            Duplicates(categories.Select(c => c.Id), categoriesNode, "category id");
            var weightSum = categories.Sum(c => c.Weight);
            if (Math.Abs(weightSum - maxScore) > 1e-6)
                throw categoriesNode.Error($"category weights add up to {weightSum.ToString(CultureInfo.InvariantCulture)}, not max_score {maxScore.ToString(CultureInfo.InvariantCulture)}");
            if (passScore < 0 || passScore > maxScore) throw root.Require("pass_score").Error("pass_score must be between 0 and max_score");

            var knowledge = root.Get("knowledge") is { } k ? k.Items("knowledge").Select(Topic).ToList() : [];
            Duplicates(knowledge.Select(t => t.Id), root.Get("knowledge") ?? root, "knowledge topic id");

            var itemsNode = root.Require("items");
            var items = new List<RubricItem>();
            var seen = new Dictionary<string, int>();
            foreach (var itemNode in itemsNode.Items("items"))
            {
                var item = Item(itemNode, categories);
                if (seen.TryGetValue(item.Id, out var firstLine))
                    throw itemNode.Require("id").Error($"duplicate item id '{item.Id}' (first defined on line {firstLine})");
                seen[item.Id] = itemNode.Line;
                if (item.Rule is KnowledgeRule && knowledge.Count == 0)
                    throw itemNode.Error($"item '{item.Id}' uses the knowledge rule but the rubric has no knowledge topics");
                items.Add(item);
            }
            if (items.Count == 0) throw itemsNode.Error("at least one item is required");
            return new Rubric(id, version, language, name, maxScore, passScore, categories, items, _settings, knowledge)
            {
                CallReasons = root.Get("call_reasons") is { } reasons ? CallReasons(reasons) : [],
                OpinionFile = root.Get("opinion")?.Str(),
            };
        }

        // Call reasons (contact drivers) are their own section, not `categories`: in a rubric `categories` are the
        // weighted score categories (基本服务用语, 服务态度 ...), and a reason deducts nothing.
        private List<CallReason> CallReasons(Node section)
        {
            var reasons = new List<CallReason>();
            var seen = new Dictionary<string, int>();
            foreach (var n in section.Items("call_reasons"))
            {
                n.AllowOnly("id", "name", "speaker", "phrases", "unless", "similarity", "source");
                var id = n.Require("id").Str();
                if (!Regex.IsMatch(id, "^[a-z][a-z0-9_]*$"))
                    throw n.Require("id").Error($"call reason id '{id}' must be one lower-case word (e.g. refund, logistics)");
                if (seen.TryGetValue(id, out var first))
                    throw n.Require("id").Error($"duplicate call reason id '{id}' (first defined on line {first})");
                seen[id] = n.Line;
                SpeakerRole? speaker = n.Get("speaker")?.Str() switch
                {
                    null or "any" => null,
                    "customer" => SpeakerRole.Customer,
                    "agent" => SpeakerRole.Agent,
                    var other => throw n.Require("speaker").Error($"speaker must be customer, agent or any (got '{other}')"),
                };
                var sim = Fraction(n.Get("similarity")) ?? _settings.DefaultSimilarity;
                var unless = n.Get("unless") is { } u ? u.StrList() : [];
                reasons.Add(new CallReason(id, n.Get("name")?.Str() ?? id, speaker, Set(n.Require("phrases").StrList(), sim, unless),
                    n.Get("source")?.Str()));
            }
            return reasons;
        }

        private static void Duplicates(IEnumerable<string> ids, Node where, string what)
        {
            var dup = ids.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw where.Error($"duplicate {what} '{dup.Key}'");
        }

        private static ScoringSettings Settings(Node n)
        {
            n.AllowOnly("similarity", "review_margin", "review_below_confidence", "low_asr_confidence", "review_below_role_confidence");
            var d = new ScoringSettings();
            return new ScoringSettings(
                Fraction(n.Get("similarity")) ?? d.DefaultSimilarity,
                Fraction(n.Get("review_margin")) ?? d.ReviewMargin,
                Fraction(n.Get("review_below_confidence")) ?? d.ReviewBelowConfidence,
                Fraction(n.Get("low_asr_confidence")) ?? d.LowAsrConfidence,
                Fraction(n.Get("review_below_role_confidence")) ?? d.ReviewBelowRoleConfidence);
        }

        private static double? Fraction(Node? n)
        {
            if (n is null) return null;
            var v = n.Value.Num();
            if (v is < 0 or > 1) throw n.Value.Error($"expected a value between 0 and 1 (got {v})");
            return v;
        }

        private static RubricCategory Category(Node n)
        {
            n.AllowOnly("id", "name", "weight");
            var weight = n.Require("weight").Num();
            if (weight < 0) throw n.Require("weight").Error("weight must not be negative");
            return new RubricCategory(n.Require("id").Str(), n.Get("name")?.Str() ?? n.Require("id").Str(), weight);
        }

        private KnowledgeTopic Topic(Node n)
        {
            n.AllowOnly("id", "questions", "fact", "contradicts", "within_turns", "similarity");
            var sim = Fraction(n.Get("similarity")) ?? _settings.DefaultSimilarity;
            var fact = n.Require("fact");
            fact.AllowOnly("number", "unit", "phrases");
            int? number = fact.Get("number")?.Int();
            var unit = fact.Get("unit")?.Str();
            if (number is not null && unit is null) throw fact.Error("a fact number needs its unit (e.g. 天, 个工作日)");
            var factPhrases = fact.Get("phrases") is { } fp ? Set(PhraseList(fp), sim, []) : null;
            if (number is null && factPhrases is null) throw fact.Error("a fact needs a number with a unit, or phrases");
            var contradicts = n.Get("contradicts") is { } c ? Set(PhraseList(c), sim, []) : null;
            return new KnowledgeTopic(n.Require("id").Str(), Set(PhraseList(n.Require("questions")), sim, []),
                number, unit, factPhrases, contradicts, n.Get("within_turns")?.Int() ?? 3);
        }

        private RubricItem Item(Node n, List<RubricCategory> categories)
        {
            n.AllowOnly("id", "category", "description", "description_en", "description_zh", "source", "deduction", "fatal", "speaker", "rule", "na_when");
            var id = n.Require("id").Str();
            if (!Regex.IsMatch(id, "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$"))
                throw n.Require("id").Error($"item id '{id}' must be lower-case words joined by dots (e.g. greeting.opening)");
            var categoryNode = n.Require("category");
            var category = categoryNode.Str();
            var cat = categories.FirstOrDefault(c => c.Id == category)
                      ?? throw categoryNode.Error($"unknown category '{category}' (defined: {string.Join(", ", categories.Select(c => c.Id))})");
            var fatal = n.Get("fatal")?.Bool() ?? false;
            var deduction = n.Get("deduction")?.Num() ?? 0;
            if (!fatal && deduction <= 0) throw (n.Get("deduction") ?? n).Error($"item '{id}' needs a deduction > 0 or fatal: true");
            if (deduction > cat.Weight) throw n.Require("deduction").Error($"deduction {deduction} exceeds the weight {cat.Weight} of category '{cat.Id}'");
            var speaker = (n.Get("speaker")?.Str() ?? "agent") switch
            {
                "agent" => SpeakerRole.Agent,
                "customer" => SpeakerRole.Customer,
                var other => throw n.Require("speaker").Error($"speaker must be agent or customer (got '{other}')"),
            };
            var rule = Rule(n.Require("rule"));
            var na = n.Get("na_when") is { } naNode ? naNode.Items(naNode.Path).Select(NaWhen).ToList() : [];
            return new RubricItem(id, category, n.Get("description")?.Str() ?? id, n.Get("source")?.Str() ?? "",
                deduction, fatal, speaker, rule, na)
            {
                // The description in the UI's other language: optional, so rubrics without one load as before.
                DescriptionEn = n.Get("description_en")?.Str(),
                DescriptionZh = n.Get("description_zh")?.Str(),
            };
        }

        private static NaCondition NaWhen(Node n)
        {
            if (n.Yaml is YamlScalarNode)
            {
                var kind = n.Str();
                if (!NaCondition.Kinds.Contains(kind) || kind == "agent_turns_below")
                    throw n.Error($"unknown N/A condition '{kind}' (known: {string.Join(", ", NaCondition.Kinds)}; agent_turns_below takes a number)");
                return new NaCondition(kind);
            }
            n.AllowOnly("agent_turns_below");
            return new NaCondition("agent_turns_below", n.Require("agent_turns_below").Int());
        }

        /// <summary>Named word lists a phrase can refer to as {name} (any one of them) or {name?} (any one, or
        /// nothing): the agent's names for itself, checking verbs, particles. Phrases stay data — a new way of
        /// saying "I am checking" is one more entry in a slot, not code.</summary>
        private IReadOnlyDictionary<string, IReadOnlyList<string>> _slots = new Dictionary<string, IReadOnlyList<string>>();

        private const int MaxExpansions = 2000;
        private static readonly Regex SlotReference = new(@"\{([a-z][a-z0-9_]*)(\?)?\}", RegexOptions.CultureInvariant);

        private static Dictionary<string, IReadOnlyList<string>> Slots(Node n)
        {
            var slots = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (k, v) in n.Map.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? "";
                var node = new Node(v, $"slots.{name}", n.Source);
                if (!Regex.IsMatch(name, "^[a-z][a-z0-9_]*$"))
                    throw new RubricException($"{n.Source}:{k.Start.Line}: slots: slot name '{name}' must be lower-case letters, digits and _");
                var words = node.StrList();
                if (words.FirstOrDefault(w => w.Contains('{') || w.Contains('}')) is { } bad)
                    throw node.Error($"slot entries cannot refer to other slots ('{bad}')");
                slots[name] = words;
            }
            return slots;
        }

        /// <summary>A phrase list with every {slot} reference expanded into the phrases it stands for.</summary>
        private IReadOnlyList<string> PhraseList(Node n)
        {
            var result = new List<string>();
            foreach (var phrase in n.StrList())
            {
                if (SlotReference.Replace(phrase, "").IndexOfAny(['{', '}']) >= 0)
                    throw n.Error($"phrase '{phrase}' has a malformed slot reference (write {{name}} or {{name?}})");
                var expanded = new List<string> { "" };
                var at = 0;
                foreach (Match m in SlotReference.Matches(phrase))
                {
                    var literal = phrase[at..m.Index];
                    if (!_slots.TryGetValue(m.Groups[1].Value, out var words))
                        throw n.Error($"phrase '{phrase}' refers to unknown slot '{{{m.Groups[1].Value}}}' (defined: {(_slots.Count == 0 ? "none" : string.Join(", ", _slots.Keys))})");
                    IEnumerable<string> choices = m.Groups[2].Success ? words.Append("") : words;
                    expanded = expanded.SelectMany(prefix => choices.Select(w => prefix + literal + w)).ToList();
                    if (expanded.Count > MaxExpansions)
                        throw n.Error($"phrase '{phrase}' expands to more than {MaxExpansions} phrases; split it or shorten its slots");
                    at = m.Index + m.Length;
                }
                foreach (var e in expanded)
                {
                    var full = e + phrase[at..];
                    // "{self}…核实" with an empty optional slot leaves a gap at the edge: the phrase is just 核实.
                    full = full.Replace("...", "…", StringComparison.Ordinal).Trim('…', ' ');
                    if (full.Length > 0) result.Add(full);
                }
            }
            return result.Distinct(StringComparer.Ordinal).ToList();
        }

        // Identical phrase sets (a YAML alias, or the same hold phrases in two items) become one object, so
        // the scorer's per-call match cache finds them once.
        private readonly Dictionary<string, PhraseSet> _sets = new(StringComparer.Ordinal);

        private PhraseSet Set(IReadOnlyList<string> phrases, double similarity, IReadOnlyList<string> unless, IReadOnlyList<string>? review = null)
        {
            var key = string.Join('\u0001', phrases) + '\u0002' + similarity.ToString(CultureInfo.InvariantCulture) + '\u0002' + string.Join('\u0001', unless)
                      + '\u0002' + string.Join('\u0001', review ?? []);
            if (!_sets.TryGetValue(key, out var set))
                _sets[key] = set = new PhraseSet(phrases.Select(p => new PhrasePattern(p)).ToList(), similarity, unless.Select(p => new PhrasePattern(p)).ToList(),
                    review is { Count: > 0 } ? Set(review, similarity, unless) : null);
            return set;
        }

        private PhraseSet Phrases(Node rule, string key = "phrases", bool required = true)
        {
            var node = required ? rule.Require(key) : rule.Get(key);
            if (node is null) return PhraseSet.Empty;
            var sim = Fraction(rule.Get("similarity")) ?? _settings.DefaultSimilarity;
            var unless = rule.Get("unless") is { } u ? PhraseList(u) : [];
            // review_phrases belong to the rule's own phrase list (key "phrases"), never to a trigger's.
            var review = key == "phrases" && rule.Get("review_phrases") is { } r ? PhraseList(r) : null;
            return Set(PhraseList(node.Value), sim, unless, review);
        }

        private Rule Rule(Node n)
        {
            var kindNode = n.Require("kind");
            var kind = kindNode.Str();
            switch (kind)
            {
                case "required_phrase":
                {
                    n.AllowOnly("kind", "phrases", "review_phrases", "unless", "similarity", "window");
                    var w = n.Require("window");
                    w.AllowOnly("from", "turns", "seconds");
                    var from = w.Get("from")?.Str() ?? "start";
                    if (from is not ("start" or "end")) throw w.Require("from").Error("from must be start or end");
                    int? turns = w.Get("turns")?.Int();
                    var seconds = w.Get("seconds")?.Num();
                    if (turns is null && seconds is null) throw w.Error("a window needs turns, seconds or both");
                    return new RequiredPhraseRule(Phrases(n), new TurnWindow(from == "end", turns, seconds));
                }
                case "forbidden_phrase":
                {
                    n.AllowOnly("kind", "phrases", "unless", "similarity", "patterns", "whole_answer");
                    var patterns = new List<Regex>();
                    if (n.Get("patterns") is { } pn)
                        foreach (var p in pn.Items(pn.Path))
                        {
                            try { patterns.Add(new Regex(p.Str(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200))); }
                            catch (ArgumentException e) { throw p.Error($"invalid pattern: {e.Message}"); }
                        }
                    WholeAnswer? whole = null;
                    if (n.Get("whole_answer") is { } wn)
                    {
                        wn.AllowOnly("phrases", "unless", "similarity", "max_units", "review");
                        var max = wn.Get("max_units")?.Int() ?? 40;
                        if (max < 1) throw wn.Require("max_units").Error("max_units must be at least 1");
                        whole = new WholeAnswer(Phrases(wn), max, wn.Get("review")?.Bool() ?? false);
                    }
                    var phrases = Phrases(n, required: patterns.Count == 0 && whole is null);
                    return new ForbiddenPhraseRule(phrases, patterns, whole);
                }
                case "conditional":
                {
                    n.AllowOnly("kind", "trigger", "response");
                    var t = n.Require("trigger");
                    t.AllowOnly("speaker", "phrases", "unless", "similarity", "silence_s", "digits");
                    var tSpeaker = (t.Get("speaker")?.Str() ?? "customer") switch
                    {
                        "agent" => SpeakerRole.Agent,
                        "customer" => SpeakerRole.Customer,
                        var o => throw t.Require("speaker").Error($"speaker must be agent or customer (got '{o}')"),
                    };
                    var defined = new[] { "phrases", "silence_s", "digits" }.Count(k => t.Get(k) is not null);
                    if (defined != 1) throw t.Error("a trigger needs exactly one of phrases, silence_s, digits");
                    var trigger = t.Get("silence_s") is { } sil ? new Trigger(TriggerKind.Silence, tSpeaker, PhraseSet.Empty, sil.Num(), 0)
                        : t.Get("digits") is { } dg ? new Trigger(TriggerKind.Digits, tSpeaker, PhraseSet.Empty, 0, dg.Int())
                        : new Trigger(TriggerKind.Phrase, tSpeaker, Phrases(t), 0, 0);
                    var r = n.Require("response");
                    r.AllowOnly("phrases", "review_phrases", "unless", "similarity", "within_turns", "within_s", "direction", "include_trigger_turn", "echo_digits");
                    var direction = (r.Get("direction")?.Str() ?? "after") switch
                    {
                        "after" => ResponseDirection.After,
                        "before" => ResponseDirection.Before,
                        var o => throw r.Require("direction").Error($"direction must be after or before (got '{o}')"),
                    };
                    return new ConditionalRule(trigger, Phrases(r), r.Get("within_turns")?.Int() ?? 2, r.Get("within_s")?.Num(),
                        direction, r.Get("include_trigger_turn")?.Bool() ?? false, r.Get("echo_digits")?.Bool() ?? false);
                }
                case "rate":
                    n.AllowOnly("kind", "phrases", "unless", "similarity", "min", "min_turns");
                    return new RateRule(Phrases(n), Fraction(n.Require("min")) ?? 0, n.Get("min_turns")?.Int() ?? 3);
                case "ratio":
                    n.AllowOnly("kind", "numerator", "denominator", "unless", "min", "min_count");
                    return new RatioRule(n.Require("numerator").StrList(), n.Require("denominator").StrList(), n.Get("unless")?.StrList() ?? [],
                        Fraction(n.Require("min")) ?? 0, n.Get("min_count")?.Int() ?? 3);
                case "speech_rate":
                {
                    n.AllowOnly("kind", "min", "max", "min_speech_s");
                    var min = n.Require("min").Num();
                    var max = n.Require("max").Num();
                    if (min >= max) throw n.Require("max").Error("max must be greater than min");
                    return new SpeechRateRule(min, max, n.Get("min_speech_s")?.Num() ?? 20);
                }
                case "acoustic":
                {
                    n.AllowOnly("kind", "metric", "min", "max", "min_s", "excused_by", "similarity");
                    var name = n.Require("metric").Str();
                    var metric = AcousticMetrics.Parse(name)
                        ?? throw n.Require("metric").Error($"unknown acoustic metric '{name}' (known: {string.Join(", ", AcousticMetrics.All)})");
                    var min = n.Get("min")?.Num();
                    var max = n.Get("max")?.Num();
                    if (min is null && max is null) throw n.Error("an acoustic rule needs min, max or both");
                    return new AcousticRule(metric, min, max, n.Get("min_s")?.Num() ?? 0, Phrases(n, "excused_by", required: false));
                }
                case "knowledge":
                    n.AllowOnly("kind");
                    return new KnowledgeRule();
                default:
                    throw kindNode.Error($"unknown rule kind '{kind}' (known: {string.Join(", ", RuleKinds)})");
            }
        }
    }
}
