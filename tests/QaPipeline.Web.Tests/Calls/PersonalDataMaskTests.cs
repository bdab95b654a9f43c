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

    [Theory]
    [InlineData("手机幺三八一二三四五六七八", "手机*******五六七八")]
    [InlineData("卡号六二二二 零二一二 三四五六 七八九四", "卡号**** **** **** 七八九四")]
    [InlineData("号码是一三九，两两六六，八八零零", "号码是***，****，八八零零")]
    public void Numbers_read_as_Chinese_numerals_are_masked_like_digits(string text, string masked) =>
        Assert.Equal(masked, PersonalDataMask.Mask(text));

    [Theory]
    [InlineData("13912345678", PersonalNumberKind.Mobile)]
    [InlineData("幺三九一二三四五六七八", PersonalNumberKind.Mobile)]
    [InlineData("11010519491231002X", PersonalNumberKind.IdCard)]
    [InlineData("110105194912310021", PersonalNumberKind.OtherNumber)] // wrong check digit: still masked, not an ID card
    [InlineData("6222021234567894", PersonalNumberKind.BankCard)]
    [InlineData("6222021234567890", PersonalNumberKind.OtherNumber)] // fails Luhn
    public void Chinese_formats_are_recognised_by_length_prefix_and_check_digit(string text, PersonalNumberKind kind) =>
        Assert.Equal(kind, PersonalDataMask.Find(text).Single().Kind);

    [Theory]
    [InlineData("两个人一起来")]
    [InlineData("一二三四五六")]
    public void Chinese_numeral_words_and_short_runs_stay_readable(string text) =>
        Assert.Equal(text, PersonalDataMask.Mask(text));
}
