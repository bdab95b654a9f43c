using System.Text.RegularExpressions;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Web.Calls;

/// <summary>What a personal number looks like, once its digits are read: the Chinese formats callers speak.</summary>
public enum PersonalNumberKind
{
    /// <summary>11 digits starting 1[3-9] (中国大陆手机号).</summary>
    Mobile,
    /// <summary>18 characters whose last is the GB 11643 check character (身份证号), or the old 15-digit form.</summary>
    IdCard,
    /// <summary>16–19 digits passing the Luhn check (银行卡号).</summary>
    BankCard,
    /// <summary>Any other run of 7+ digits: an ASR slip in one of the above, an account or order number. Masked too,
    /// because a misrecognised card number is still most of a card number.</summary>
    OtherNumber,
}

/// <summary>One personal number in a text: its character range and the digits it reads as.</summary>
public readonly record struct PersonalNumber(int Start, int Length, string Digits, PersonalNumberKind Kind);

/// <summary>
/// Finds and masks the personal numbers callers speak (保密: 手机号码, 身份证号, 银行卡号) for roles that do not need
/// them. ASR writes them as digit runs, sometimes grouped by spaces, dashes or commas ("138 1234 5678"), or as
/// Chinese numerals read digit by digit (幺三八…, 两 for 2), so a run of digits of either kind with single separators
/// is measured by its digit count: 7 or more is a personal number. The last four characters stay visible, as on a bank
/// statement, so people can still refer to them. The same finder drives the audio tone (<see cref="PersonalNumberSpans"/>),
/// so what is hidden in the text is silenced in the recording.
/// </summary>
public static partial class PersonalDataMask
{
    // Chinese digit words as ASR writes a number read digit by digit (幺 is how 1 is read in phone numbers).
    private const string ChineseDigits = "零〇一二三四五六七八九幺两";

    // A run of 7+ digits (Arabic or Chinese) allowing one separator between groups; an ID card may end in X.
    [GeneratedRegex(@"(?<![0-9零〇一二三四五六七八九幺两])[0-9零〇一二三四五六七八九幺两](?:[ \-,，、]?[0-9零〇一二三四五六七八九幺两]){6,}(?:[ \-]?[Xx])?(?![0-9零〇一二三四五六七八九幺两])")]
    private static partial Regex DigitRun();

    private static bool IsDigitChar(char c) => char.IsAsciiDigit(c) || c is 'X' or 'x' || ChineseDigits.Contains(c);

    private static char DigitOf(char c) => c switch
    {
        >= '0' and <= '9' => c,
        'X' or 'x' => 'X',
        '零' or '〇' => '0',
        '幺' => '1',
        '两' => '2',
        _ => (char)('0' + "一二三四五六七八九".IndexOf(c) + 1),
    };

    /// <summary>Every personal number in <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<PersonalNumber> Find(string text)
    {
        var found = new List<PersonalNumber>();
        foreach (Match m in DigitRun().Matches(text))
        {
            var digits = string.Concat(m.Value.Where(IsDigitChar).Select(DigitOf));
            if (digits.Length < 7) continue;
            found.Add(new PersonalNumber(m.Index, m.Length, digits, KindOf(digits)));
        }
        return found;
    }

    public static string Mask(string text)
    {
        var numbers = Find(text);
        if (numbers.Count == 0) return text;
        var chars = text.ToCharArray();
        foreach (var n in numbers)
        {
            // Keep the last four characters that are digits (or X), replace every earlier digit with *.
            var keep = 4;
            for (var i = n.Start + n.Length - 1; i >= n.Start; i--)
            {
                if (!IsDigitChar(chars[i])) continue;
                if (keep > 0) { keep--; continue; }
                chars[i] = '*';
            }
        }
        return new string(chars);
    }

    public static PersonalNumberKind KindOf(string digits)
    {
        if (digits.Length == 11 && digits[0] == '1' && digits[1] is >= '3' and <= '9') return PersonalNumberKind.Mobile;
        if (digits.Length == 18 && IdCardCheckValid(digits)) return PersonalNumberKind.IdCard;
        if (digits.Length == 15 && digits.All(char.IsAsciiDigit)) return PersonalNumberKind.IdCard;
        if (digits.Length is >= 16 and <= 19 && digits.All(char.IsAsciiDigit) && LuhnValid(digits)) return PersonalNumberKind.BankCard;
        return PersonalNumberKind.OtherNumber;
    }

    /// <summary>GB 11643-1999 (ISO 7064 MOD 11-2): weights 2^(17-i) mod 11 over the first 17 digits; the check
    /// character is "10X98765432"[sum mod 11].</summary>
    public static bool IdCardCheckValid(string id)
    {
        if (id.Length != 18 || !id[..17].All(char.IsAsciiDigit)) return false;
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (id[i] - '0') * weights[i];
        return "10X98765432"[sum % 11] == char.ToUpperInvariant(id[17]);
    }

    /// <summary>The Luhn (mod 10) check every UnionPay/Visa/Mastercard number satisfies.</summary>
    public static bool LuhnValid(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }
}

/// <summary>
/// Where in the recording the personal numbers of a transcript are spoken, for the audio tone. Whisper's token times
/// place a number to within a word; a segment without token times (imported transcripts) is toned whole, because a
/// guess inside it could leave digits audible. A small pad covers token times that start late or end early. A number
/// in a segment with no times at all cannot be placed: <see cref="Of"/> answers null and the audio is withheld.
/// </summary>
public static class PersonalNumberSpans
{
    public const double PadSeconds = 0.1;

    public static IReadOnlyList<(double Start, double End)>? Of(Transcript transcript)
    {
        var spans = new List<(double Start, double End)>();
        foreach (var segment in transcript.Segments)
        {
            if (PersonalDataMask.Find(segment.Text).Count == 0) continue;
            if (segment.Tokens is { Count: > 0 } tokens && tokens.All(t => t.Start is not null && t.End is not null))
            {
                var joined = string.Concat(tokens.Select(t => t.Text));
                var numbers = PersonalDataMask.Find(joined);
                if (numbers.Count > 0)
                {
                    foreach (var n in numbers)
                    {
                        double? from = null, to = null;
                        var offset = 0;
                        foreach (var t in tokens)
                        {
                            var tokenEnd = offset + t.Text.Length;
                            if (tokenEnd > n.Start && offset < n.Start + n.Length)
                            {
                                from = Math.Min(from ?? double.MaxValue, t.Start!.Value);
                                to = Math.Max(to ?? double.MinValue, t.End!.Value);
                            }
                            offset = tokenEnd;
                        }
                        if (from is { } f && to is { } e) spans.Add((Math.Max(0, f - PadSeconds), e + PadSeconds));
                    }
                    continue;
                }
            }
            // No usable word times (or tokens that do not spell the segment's number): the whole segment.
            if (segment.Start is { } s && segment.End is { } end) spans.Add((Math.Max(0, s - PadSeconds), end + PadSeconds));
            else return null;
        }
        return spans;
    }
}
