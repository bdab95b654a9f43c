using System.Text.RegularExpressions;

namespace QaPipeline.Web.Calls;

/// <summary>
/// Masks the personal numbers callers speak (保密: 手机号码, 身份证号, 银行卡号) in transcript text for roles that
/// do not need them. ASR writes them as digit runs, sometimes grouped by spaces or dashes ("138 1234 5678"), so
/// a run of digits with separators is measured by its digit count: 11 (mobile), 15/18 (ID card, last may be X),
/// 16–19 (bank card). The last four digits stay visible, as on a bank statement, so people can still refer to them.
/// </summary>
public static partial class PersonalDataMask
{
    // A digit run of 7+ digits allowing single spaces/dashes between groups; an ID card may end in X.
    [GeneratedRegex(@"(?<![0-9])[0-9](?:[ \-]?[0-9]){6,}(?:[ \-]?[Xx])?(?![0-9])")]
    private static partial Regex DigitRun();

    public static string Mask(string text) => DigitRun().Replace(text, m =>
    {
        var digits = m.Value.Count(ch => char.IsAsciiDigit(ch) || ch is 'X' or 'x');
        if (digits < 7) return m.Value;
        // Keep the last four characters that are digits (or X), replace every earlier digit with *.
        var keep = 4;
        var chars = m.Value.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!(char.IsAsciiDigit(chars[i]) || chars[i] is 'X' or 'x')) continue;
            if (keep > 0) { keep--; continue; }
            chars[i] = '*';
        }
        return new string(chars);
    });
}
