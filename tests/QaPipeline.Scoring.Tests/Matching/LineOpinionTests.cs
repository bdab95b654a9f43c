using System.Globalization;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.Matching;

/// <summary>
/// The learned second opinion as the core sees it: a parsed model file evaluated by a dot product, and a confident
/// disagreement with the phrase rule turning the item into a review that names both and keeps the words.
/// </summary>
public class LineOpinionTests
{
    private const int Buckets = 1024;

    /// <summary>A model file whose one item rates lines holding any n-gram of <paramref name="line"/> by
    /// <paramref name="weight"/> per bucket.</summary>
    private static string File(string item, double bias, string line = "", float weight = 0, string format = LineOpinion.Format)
    {
        var features = line.Length == 0 ? [] : LineOpinion.Features(SpeechText.Parse(line), Buckets);
        var index = string.Join(',', features);
        var weights = string.Join(',', features.Select(_ => weight.ToString(CultureInfo.InvariantCulture)));
        return $$"""
            { "format": "{{format}}", "version": "zh-test.v1", "language": "zh",
              "features": { "buckets": {{Buckets}} }, "training": { "fingerprint": "abc" },
              "review_below": 0.1, "review_above": 0.9,
              "items": { "{{item}}": { "bias": {{bias.ToString(CultureInfo.InvariantCulture)}}, "index": [{{index}}], "weight": [{{weights}}] } } }
            """;
    }

    [Fact]
    public void A_model_file_parses_reports_its_version_and_scores_lines_by_its_weights()
    {
        var model = LineOpinion.Parse(File("handling.verify", -3, "帮您查询", 1.5f), "test.json");
        Assert.Equal("zh-test.v1", model.Version);
        Assert.Equal("abc", model.TrainedOn);
        Assert.True(model.Covers("handling.verify"));
        Assert.Null(model.Probability("handling.confirm", SpeechText.Parse("帮您查询")));
        // No shared n-gram: the bias alone.
        Assert.Equal(1 / (1 + Math.Exp(3)), model.Probability("handling.verify", SpeechText.Parse("好的"))!.Value, 6);
        Assert.True(model.Probability("handling.verify", SpeechText.Parse("我这边帮您查询一下哈"))!.Value > 0.99);
    }

    [Fact]
    public void Features_see_through_traditional_characters_fillers_and_punctuation()
    {
        var plain = LineOpinion.Features(SpeechText.Parse("我帮您查询一下"), Buckets);
        Assert.Equal(plain, LineOpinion.Features(SpeechText.Parse("我幫您查詢，嗯，一下"), Buckets));
        // A homophone keeps the pinyin n-grams: the lines share buckets beyond the characters they share.
        var homophone = LineOpinion.Features(SpeechText.Parse("我帮您茶询一下"), Buckets);
        Assert.True(plain.Intersect(homophone).Count() > plain.Length / 2);
    }

    [Theory]
    [InlineData("{ not json", "not a line-opinion model file")]
    [InlineData("{}", "not a line-opinion model file")]
    public void A_broken_model_file_is_a_one_line_error_naming_the_file(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LineOpinion.Parse(json, "opinions/x.json"));
        Assert.Contains("opinions/x.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\"buckets\": 1024", "\"buckets\": \"1024\"", "Path: $.features.buckets")]
    [InlineData("\"buckets\": 1024", "\"buckets\": 8", "features.buckets 8 out of range")]
    [InlineData("\"buckets\": 1024", "\"units\": \"x\"", "('features.buckets' missing)")]
    [InlineData("\"review_below\": 0.1", "\"review_below\": 0.95", "must satisfy 0 <= below < above <= 1")]
    [InlineData("\"index\": [], \"weight\": []", "\"index\": [1024], \"weight\": [1]", "item handling.verify index 1024 outside 0..1023")]
    [InlineData("\"weight\": []", "\"weight\": [1]", "item handling.verify has 0 indexes and 1 weights")]
    [InlineData("\"weight\": []", "\"weight\": [\"1\"]", "Path: $.items['handling.verify'].weight")]
    [InlineData("\"bias\": -3, ", "", "('items.handling.verify.bias' missing)")]
    [InlineData("\"version\": \"zh-test.v1\",", "", "('version' missing)")]
    public void A_malformed_model_file_is_a_one_line_error_naming_the_file_and_the_fault(string field, string replacement, string expected)
    {
        var json = File("handling.verify", -3);
        Assert.Contains(field, json);
        var e = Assert.Throws<FormatException>(() => LineOpinion.Parse(json.Replace(field, replacement), "opinions/x.json"));
        Assert.StartsWith("opinions/x.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_model_for_another_feature_scheme_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => LineOpinion.Parse(File("handling.verify", 0, format: "other/scheme"), "x.json"));
        Assert.Contains("another feature scheme", e.Message);
    }

    private static Scorecard Score(string dialogue, string? model) =>
        Scorer.Score(model is null ? TestRubrics.Zh : TestRubrics.Zh with { Opinion = LineOpinion.Parse(model, "test.json") },
            Dialogue.Plain(dialogue));

    [Fact]
    public void A_phrase_match_the_model_confidently_rejects_goes_to_review_with_both_views_and_the_words()
    {
        const string call = "坐席：您好\n客户：帮我查一下快递到哪了\n坐席：好的，我这边帮您查询一下";
        Assert.Equal(Verdict.Pass, Score(call, null).Item("handling.verify").Verdict);
        // The model rates every line 0.02 for the item: it disagrees with the phrase rule's match.
        var item = Score(call, File("handling.verify", -4)).Item("handling.verify");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("zh-test.v1", item.Reason);
        Assert.Contains("phrase rule and the model disagree", item.Reason);
        Assert.Contains(item.Evidence, e => e.Text.Contains("帮您查询") && e.Phrase is not null);
        // A model that agrees leaves the verdict alone.
        Assert.Equal(Verdict.Pass, Score(call, File("handling.verify", 4)).Item("handling.verify").Verdict);
    }

    [Fact]
    public void A_miss_the_model_confidently_sees_goes_to_review_naming_the_turn_it_saw()
    {
        const string call = "坐席：您好\n客户：帮我查一下快递到哪了\n坐席：好的，妹子翻翻物流哈";
        Assert.Equal(Verdict.Fail, Score(call, null).Item("handling.verify").Verdict);
        var item = Score(call, File("handling.verify", -4, "翻翻物流", 2f)).Item("handling.verify");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("missing", item.Reason);
        Assert.Contains("by the phrase rule", item.Reason);
        Assert.Contains("zh-test.v1", item.Reason);
        Assert.Contains(item.Evidence, e => e.Text.Contains("翻翻物流"));
        Assert.Equal(0, item.Deduction);
        // Items the model does not cover are the phrase rule's alone.
        Assert.Equal(Score(call, null).Item("handling.confirm").Verdict, Score(call, File("handling.verify", -4, "翻翻物流", 2f)).Item("handling.confirm").Verdict);
    }
}
