using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Tests;

public sealed class PersonalDataMaskTests
{
    [Theory]
    [InlineData("我的手机号是13812345678", "我的手机号是*******5678")]
    [InlineData("手机号码是138 1234 5678，对吗", "手机号码是*** **** 5678，对吗")]
    [InlineData("身份证 11010519491231002X", "身份证 **************002X")]
    [InlineData("卡号 6222-0212-3456-7890", "卡号 ****-****-****-7890")]
    public void Phone_id_card_and_bank_card_numbers_keep_only_their_last_four_characters(string text, string masked) =>
        Assert.Equal(masked, PersonalDataMask.Mask(text));

    [Theory]
    [InlineData("订单金额 200 元，工号 12，预计 3 天")]
    [InlineData("2026年3月2日")]
    public void Short_numbers_such_as_amounts_dates_and_staff_numbers_stay_readable(string text) =>
        Assert.Equal(text, PersonalDataMask.Mask(text));
}
