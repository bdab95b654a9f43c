using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Scoring.Tests.Rubrics;

public class RoutingParserTests
{
    private static readonly string[] Known = ["zh-CN", "en-US", "outbound-zh-CN", "vip-zh-CN"];

    private const string Centre = """
        rules:
          - name: outbound sales
            when: { direction: outbound }
            rubric: outbound-zh-CN
          - name: VIP team
            when: { team: [VIP, "金卡*"] }
            rubric: vip-zh-CN
          - name: English hotline
            when: { queue: [international, "intl-*"], language: en }
            rubric: en-US
          - name: any English
            when: { language: en }
            rubric: en-US
        default: zh-CN
        """;

    private static RubricRouting Load(string yaml) => RoutingParser.Parse(yaml, "routing.yaml", Known);

    private static string Error(string yaml) => Assert.Throws<RubricException>(() => Load(yaml)).Message;

    [Theory]
    [InlineData("orders", "一组", "outbound", "en", "outbound-zh-CN", "outbound sales")] // first match wins over the language rules
    [InlineData("orders", "VIP", "inbound", "zh", "vip-zh-CN", "VIP team")]             // team, case-insensitive below
    [InlineData("orders", "vip", null, null, "vip-zh-CN", "VIP team")]
    [InlineData("orders", "金卡二组", "inbound", "zh", "vip-zh-CN", "VIP team")]            // * inside a value
    [InlineData("intl-uk", "二组", "inbound", "en", "en-US", "English hotline")]           // queue glob and language together
    [InlineData("orders", "二组", "inbound", "en", "en-US", "any English")]                 // language alone
    [InlineData("international", "二组", "inbound", "zh", "zh-CN", "default")]              // a Mandarin call on the English queue
    [InlineData(null, null, null, null, "zh-CN", "default")]                                // nothing known: the default
    public void The_first_rule_whose_conditions_all_hold_chooses_the_rubric(string? queue, string? team, string? direction,
        string? language, string rubric, string rule)
    {
        var decision = Load(Centre).Route(new CallLine(queue, team, direction, language));
        Assert.Equal(new RoutingDecision(rubric, rule), decision);
    }

    [Fact]
    public void A_call_without_a_language_is_routed_before_transcription_only_when_no_language_could_change_the_rubric()
    {
        var routing = Load(Centre);
        Assert.Equal("outbound-zh-CN", routing.RouteWithoutLanguage(new CallLine("orders", "一组", "outbound"))?.RubricId);
        Assert.Equal("vip-zh-CN", routing.RouteWithoutLanguage(new CallLine("orders", "VIP", "inbound"))?.RubricId);
        Assert.Null(routing.RouteWithoutLanguage(new CallLine("orders", "一组", "inbound")));
    }

    [Fact]
    public void The_shipped_routing_file_sends_outbound_to_the_outbound_rubric_english_to_en_US_and_the_rest_to_zh_CN()
    {
        var path = Path.Combine(TestRubrics.RepoRoot, "scoring-rules", RoutingParser.FileName);
        var ids = Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.yaml").Where(f => f != path)
            .Select(f => RubricParser.Parse(File.ReadAllBytes(f), f).Id).ToList();
        var routing = RoutingParser.Parse(File.ReadAllBytes(path), path, ids);
        Assert.Equal("outbound-zh-CN", routing.Route(new CallLine("sales", "一组", "outbound", "zh")).RubricId);
        Assert.Equal("en-US", routing.Route(new CallLine("international", "二组", "inbound", "en")).RubricId);
        Assert.Equal("zh-CN", routing.Route(new CallLine("orders", "一组", "inbound", "zh")).RubricId);
        Assert.Equal(RoutingDecision.Default("zh-CN"), routing.Route(new CallLine()));
    }

    [Fact]
    public void An_unknown_rubric_id_names_the_file_line_and_field()
    {
        var e = Error("""
            rules:
              - name: outbound
                when: { direction: outbound }
                rubric: outbound-zh
            default: zh-CN
            """);
        Assert.Equal("routing.yaml:4: rules[0].rubric: unknown rubric 'outbound-zh' (known: en-US, outbound-zh-CN, vip-zh-CN, zh-CN)", e);
        Assert.StartsWith("routing.yaml:1: default: unknown rubric 'nope'", Error("default: nope"));
    }

    [Fact]
    public void A_duplicate_rule_is_an_error_naming_the_first()
    {
        var e = Error("""
            rules:
              - name: outbound
                when: { direction: outbound }
                rubric: outbound-zh-CN
              - name: outbound again
                when: { direction: [Outbound] }
                rubric: zh-CN
            default: zh-CN
            """);
        Assert.Equal("routing.yaml:5: rules[1]: duplicate rule: same conditions as rules[0] 'outbound' (line 2)", e);
    }

    [Fact]
    public void A_rule_that_an_earlier_rule_always_takes_first_is_unreachable()
    {
        var e = Error("""
            rules:
              - name: intl
                when: { queue: "intl-*" }
                rubric: en-US
              - name: intl uk outbound
                when: { queue: intl-uk, direction: outbound }
                rubric: outbound-zh-CN
            default: zh-CN
            """);
        Assert.Contains("rules[1]: unreachable rule: every call it matches is taken first by rules[0] 'intl' (line 2)", e);
    }

    [Fact]
    public void A_rule_matching_every_call_makes_the_default_unreachable()
    {
        var e = Error("""
            rules:
              - name: everything
                when: { queue: "*" }
                rubric: en-US
            default: zh-CN
            """);
        Assert.Equal("routing.yaml:5: default: unreachable default: rule 'everything' (line 2) matches every call; make 'en-US' the default instead", e);
    }

    [Theory]
    [InlineData("rules:\n  - name: a\n    when: { queue: x }\n    rubric: zh-CN\n    weight: 2\ndefault: zh-CN", "routing.yaml:5: rules[0]: unknown field 'weight' (allowed: name, when, rubric)")]
    [InlineData("rules:\n  - name: a\n    when: { channel: x }\n    rubric: zh-CN\ndefault: zh-CN", "routing.yaml:3: rules[0].when: unknown field 'channel' (allowed: queue, team, direction, language)")]
    [InlineData("rule: []\ndefault: zh-CN", "routing.yaml:1: unknown field 'rule' (allowed: rules, default)")]
    [InlineData("rules:\n  - name: a\n    when: { direction: outbond }\n    rubric: zh-CN\ndefault: zh-CN", "routing.yaml:3: rules[0].when.direction: direction is never 'outbond' (a call's direction is inbound or outbound)")]
    [InlineData("rules:\n  - name: a\n    when: { language: fr }\n    rubric: zh-CN\ndefault: zh-CN", "routing.yaml:3: rules[0].when.language: language is never 'fr' (a call's language is zh or en)")]
    [InlineData("rules:\n  - name: a\n    when: {}\n    rubric: zh-CN\ndefault: zh-CN", "routing.yaml:3: rules[0].when: a rule needs at least one condition (queue, team, direction, language)")]
    [InlineData("rules:\n  - name: a\n    when: { queue: x }\n    rubric: zh-CN\n  - name: A\n    when: { queue: y }\n    rubric: zh-CN\ndefault: zh-CN", "routing.yaml:5: rules[1].name: duplicate rule name 'A' (first used on line 2)")]
    [InlineData("rules: []", "routing.yaml:1: missing required field 'default'")]
    [InlineData("rules: [\ndefault: zh-CN", "routing.yaml:")]
    public void Bad_routing_files_give_one_line_errors_with_file_line_and_field(string yaml, string expected)
    {
        var e = Error(yaml);
        Assert.StartsWith(expected, e);
        Assert.DoesNotContain('\n', e);
    }
}
