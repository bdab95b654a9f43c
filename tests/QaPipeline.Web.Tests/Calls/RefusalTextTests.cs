using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Tests;

public sealed class RefusalTextTests
{
    [Theory]
    [InlineData("an override needs a reason", "改判需要填写理由")]
    [InlineData("already claimed by 质检员 王芳", "已被认领：质检员 王芳")]
    [InlineData("still scoring: 李强, 赵敏", "仍在评分：李强, 赵敏")]
    [InlineData("item verdicts still missing: 3", "尚未完成的评分项数：3")]
    public void Refusals_read_in_chinese_with_their_details_kept(string english, string chinese) =>
        Assert.Equal(chinese, new ReviewRuleException(english).Chinese);
}
