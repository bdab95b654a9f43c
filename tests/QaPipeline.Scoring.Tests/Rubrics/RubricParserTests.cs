using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Scoring.Tests.Rubrics;

public class RubricParserTests
{
    private const string Valid = """
        id: test
        version: "1"
        language: zh
        categories:
          - { id: service_language, name: 基本服务用语, weight: 60 }
          - { id: attitude, name: 服务态度, weight: 40 }
        items:
          - id: greeting.opening
            category: service_language
            deduction: 5
            rule:
              kind: required_phrase
              phrases: [您好]
              window: { turns: 1 }
        """;

    private static RubricException Error(string yaml) =>
        Assert.Throws<RubricException>(() => RubricParser.Parse(yaml, "rules.yaml"));

    [Fact]
    public void A_valid_rubric_loads_with_its_defaults()
    {
        var rubric = RubricParser.Parse(Valid, "rules.yaml");
        Assert.Equal(100, rubric.MaxScore);
        Assert.Equal(80, rubric.PassScore);
        Assert.IsType<RequiredPhraseRule>(Assert.Single(rubric.Items).Rule);
    }

    [Fact]
    public void Review_phrases_load_beside_the_deciding_phrases_and_share_their_vetoes()
    {
        var rubric = RubricParser.Parse(Valid.Replace("phrases: [您好]", "phrases: [您好]\n      review_phrases: [欢迎…光临]\n      unless: [不欢迎]"), "rules.yaml");
        var set = Assert.IsType<RequiredPhraseRule>(Assert.Single(rubric.Items).Rule).Phrases;
        Assert.Equal("您好", Assert.Single(set.Phrases).Phrase);
        Assert.Equal("欢迎…光临", Assert.Single(set.Review!.Phrases).Phrase);
        Assert.Equal("不欢迎", Assert.Single(set.Review.Unless).Phrase);
        Assert.Null(RubricParser.Parse(Valid, "rules.yaml").Items[0].Rule is RequiredPhraseRule r ? r.Phrases.Review : null);
    }

    [Fact]
    public void A_forbidden_item_may_hold_only_a_whole_answer_list_and_its_unknown_keys_and_bad_length_are_refused()
    {
        string Forbidden(string whole) => Valid.Replace("kind: required_phrase\n      phrases: [您好]\n      window: { turns: 1 }",
            "kind: forbidden_phrase\n      whole_answer:\n" + whole);
        var rule = Assert.IsType<ForbiddenPhraseRule>(Assert.Single(RubricParser.Parse(Forbidden(
            "        phrases: [没办法]\n        unless: [抱歉]\n        similarity: 0.9\n        max_units: 12"), "rules.yaml").Items).Rule);
        Assert.Empty(rule.Phrases.Phrases);
        Assert.Equal(12, rule.WholeAnswer!.MaxUnits);
        Assert.Equal("抱歉", Assert.Single(rule.WholeAnswer.Phrases.Unless).Phrase);
        Assert.Equal(0.9, rule.WholeAnswer.Phrases.MinSimilarity);
        Assert.False(rule.WholeAnswer.Review);
        Assert.True(Assert.IsType<ForbiddenPhraseRule>(RubricParser.Parse(Forbidden("        phrases: [没办法]\n        review: true"), "rules.yaml")
            .Items[0].Rule).WholeAnswer!.Review);
        Assert.Contains("max_units", Error(Forbidden("        phrases: [没办法]\n        max_units: 0")).Message);
        Assert.Contains("window", Error(Forbidden("        phrases: [没办法]\n        window: 3")).Message);
    }

    [Fact]
    public void An_item_may_carry_its_description_in_the_other_ui_language()
    {
        var rubric = RubricParser.Parse(Valid.Replace("    category: service_language\n    deduction: 5",
            "    category: service_language\n    description: 开场问候\n    description_en: Opening greeting\n    deduction: 5"), "rules.yaml");
        var item = Assert.Single(rubric.Items);
        Assert.Equal(("开场问候", "Opening greeting", null), (item.Description, item.DescriptionEn, item.DescriptionZh));
        // Older rubrics without one load as before.
        Assert.Null(Assert.Single(RubricParser.Parse(Valid, "rules.yaml").Items).DescriptionEn);
    }

    [Fact]
    public void An_empty_description_translation_names_line_and_field()
    {
        var e = Error(Valid.Replace("    category: service_language\n    deduction: 5", "    category: service_language\n    description_en: \"\"\n    deduction: 5"));
        Assert.Equal("rules.yaml:10: items[0].description_en: expected a non-empty text value", e.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        var e = Error("id: test\nversion: [1\n");
        Assert.StartsWith("rules.yaml:", e.Message);
        Assert.Contains("malformed YAML", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Unknown_rule_kind_names_line_field_and_known_kinds()
    {
        var e = Error(Valid.Replace("kind: required_phrase", "kind: sentiment"));
        Assert.Equal("rules.yaml:12: items[0].rule.kind: unknown rule kind 'sentiment' (known: required_phrase, forbidden_phrase, conditional, rate, ratio, speech_rate, acoustic, knowledge)", e.Message);
    }

    [Fact]
    public void Duplicate_item_ids_are_rejected_with_both_lines()
    {
        var items = Valid[Valid.IndexOf("  - id: greeting.opening", StringComparison.Ordinal)..];
        var e = Error(Valid + "\n" + items);
        Assert.Contains("duplicate item id 'greeting.opening' (first defined on line 8)", e.Message);
    }

    [Fact]
    public void Category_weights_must_add_up_to_the_maximum_score()
    {
        var e = Error(Valid.Replace("weight: 40", "weight: 30"));
        Assert.Contains("category weights add up to 90, not max_score 100", e.Message);
    }

    [Fact]
    public void A_misspelt_field_is_an_error_not_silently_ignored()
    {
        var e = Error(Valid.Replace("deduction: 5", "deduktion: 5"));
        Assert.Contains("unknown field 'deduktion'", e.Message);
    }

    [Fact]
    public void An_item_in_an_undefined_category_is_rejected()
    {
        var e = Error(Valid.Replace("category: service_language", "category: accuracy"));
        Assert.Contains("unknown category 'accuracy'", e.Message);
    }

    [Fact]
    public void An_item_without_deduction_or_fatal_is_rejected()
    {
        var e = Error(Valid.Replace("deduction: 5", "description: x"));
        Assert.Contains("needs a deduction > 0 or fatal: true", e.Message);
    }

    [Fact]
    public void Non_utf8_rubric_bytes_give_a_one_line_error()
    {
        var e = Assert.Throws<RubricException>(() => RubricParser.Parse([0x69, 0x64, 0x3a, 0xff, 0xfe], "bad.yaml"));
        Assert.Equal("bad.yaml: not valid UTF-8 text", e.Message);
    }

    [Fact]
    public void Knowledge_rule_without_topics_is_rejected()
    {
        var e = Error(Valid.Replace("""
              kind: required_phrase
              phrases: [您好]
              window: { turns: 1 }
        """, "      kind: knowledge"));
        Assert.Contains("has no knowledge topics", e.Message);
    }

    [Theory]
    [InlineData("zh-CN.yaml")]
    [InlineData("en-US.yaml")]
    [InlineData("outbound-zh-CN.yaml")]
    public void Shipped_rubrics_load_and_cite_a_source_for_every_item(string file)
    {
        var rubric = TestRubrics.Load(file);
        Assert.All(rubric.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Source), $"{i.Id} has no source"));
        Assert.Contains(rubric.Items, i => i.Fatal);
    }

    [Theory]
    [InlineData("zh-CN.yaml")]
    [InlineData("en-US.yaml")]
    public void Inbound_rubrics_carry_the_item_ids_other_tools_refer_to(string file)
    {
        string[] required =
        [
            "greeting.opening", "greeting.self_intro", "wait.request", "wait.thanks", "closing.more_help", "closing.farewell",
            "courtesy.polite_words", "courtesy.apology", "courtesy.empathy", "handling.confirm", "handling.verify",
            "handling.transfer", "attitude.forbidden", "attitude.interrupt", "handling.dead_air", "handling.speech_rate",
            "accuracy.knowledge", "security.pii_disclosure",
        ];
        var ids = TestRubrics.Load(file).Items.Select(i => i.Id).ToHashSet();
        Assert.Equal([], required.Where(r => !ids.Contains(r)).ToArray());
    }

    [Fact]
    public void Zh_rubric_has_the_four_seed_categories()
    {
        Assert.Equal(["基本服务用语", "服务态度", "处理技巧", "准确度"], TestRubrics.Zh.Categories.Select(c => c.Name));
    }
}

public class RubricSlotTests
{
    private static string Rubric(string slots, string phrases) => $$"""
        id: test
        version: "1"
        language: zh
        {{slots}}
        categories:
          - { id: handling, name: 处理技巧, weight: 100 }
        items:
          - id: handling.verify
            category: handling
            deduction: 5
            rule:
              kind: required_phrase
              phrases: {{phrases}}
              window: { turns: 1 }
        """;

    private static IReadOnlyList<string> Phrases(string yaml) =>
        ((RequiredPhraseRule)RubricParser.Parse(yaml, "rules.yaml").Items[0].Rule).Phrases.Phrases.Select(p => p.Phrase).ToList();

    [Fact]
    public void A_slot_expands_into_one_phrase_per_entry()
    {
        var phrases = Phrases(Rubric("slots:\n  self: [小妹, 这边]\n  check: [查询, 核实]", "[\"{self}…{check}\"]"));
        Assert.Equal(["小妹…查询", "小妹…核实", "这边…查询", "这边…核实"], phrases);
    }

    [Fact]
    public void An_optional_slot_may_also_be_left_out()
    {
        var phrases = Phrases(Rubric("slots:\n  p: [哈]", "[\"稍等{p?}\"]"));
        Assert.Equal(["稍等哈", "稍等"], phrases);
    }

    [Fact]
    public void An_unknown_slot_names_the_file_line_and_the_defined_slots()
    {
        var e = Assert.Throws<RubricException>(() => RubricParser.Parse(Rubric("slots:\n  self: [小妹]", "[\"{selff}核实\"]"), "rules.yaml"));
        Assert.StartsWith("rules.yaml:", e.Message);
        Assert.Contains("unknown slot '{selff}'", e.Message);
        Assert.Contains("self", e.Message);
    }

    [Fact]
    public void A_malformed_slot_reference_is_an_error()
    {
        var e = Assert.Throws<RubricException>(() => RubricParser.Parse(Rubric("slots:\n  self: [小妹]", "[\"{self核实\"]"), "rules.yaml"));
        Assert.Contains("malformed slot reference", e.Message);
    }
}
