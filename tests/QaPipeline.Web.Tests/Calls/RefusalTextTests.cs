using QaPipeline.Web.Localisation;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Tests;

/// <summary>Refusals are keyed messages: both languages come from the resources, with their details (names, counts,
/// field names in the reader's language) kept.</summary>
public sealed class RefusalTextTests
{
    [Theory]
    [InlineData("error.override_needs_reason", null, "an override needs a reason", "改判需要填写理由")]
    [InlineData("error.already_claimed_by", "质检员 王芳", "already claimed by 质检员 王芳", "已被认领：质检员 王芳")]
    [InlineData("error.still_scoring", "李强, 赵敏", "still scoring: 李强, 赵敏", "仍在评分：李强, 赵敏")]
    [InlineData("error.item_verdicts_still_missing", "3", "item verdicts still missing: 3", "尚未完成的评分项数：3")]
    public void Refusals_read_in_both_languages_with_their_details_kept(string key, string? detail, string english, string chinese)
    {
        var refusal = detail is null ? new ReviewRuleException(key) : new ReviewRuleException(key, 409, detail);
        Assert.Equal((english, chinese), (refusal.Message, refusal.Chinese));
    }

    [Fact]
    public void A_field_named_in_a_refusal_is_named_in_the_reader_s_language()
    {
        var refusal = new ReviewRuleException("error.too_long", 400, new TextKey("field.dispute_reason"), 2001, 2000);
        Assert.Equal("the dispute reason is too long (2,001 characters; at most 2,000)", refusal.Message);
        Assert.Equal("申诉理由过长（2,001 字；最多 2,000 字）", refusal.Chinese);
    }
}
