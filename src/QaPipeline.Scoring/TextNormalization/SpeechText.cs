using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace QaPipeline.Scoring.TextNormalization;

/// <summary>
/// Speech-recognition text normalised into matchable units: one unit per Chinese character or digit,
/// one per Latin word. This is the one place the product normalises text for matching.
/// Whisper writes Mandarin with traditional characters, homophones (稍/烧, 再见/在见), full-width forms,
/// missing or wrong punctuation and fillers (嗯, 啊); each unit therefore carries three keys of
/// decreasing strictness — the character, its toneless pinyin, and a fuzzy pinyin class — and a filler
/// flag, so the matcher can compare pronunciation as well as characters and skip fillers for free.
/// </summary>
public sealed class SpeechText
{
    private static readonly HashSet<string> EnglishFillers = ["um", "uh", "erm", "er", "hmm", "mm", "ah", "uhm"];
    private const string ChineseDigits = "零〇一二三四五六七八九幺两";

    /// <summary>Marks that end a clause where they are written (after NFKC folding: ，→, ！→! ？→? ；→; ：→: ～→~).
    /// Not the apostrophe, hyphen or space: they join or separate words inside an English clause.</summary>
    private static readonly System.Buffers.SearchValues<char> ClauseMarks = System.Buffers.SearchValues.Create(",.!?;:。、~…");

    private const int WordBase = 3_000_000;
    private const int FuzzyHanBase = 100_000;
    private static readonly ConcurrentDictionary<string, int> WordIds = new(StringComparer.Ordinal);

    public string Original { get; }

    /// <summary>Units joined (Latin words separated by spaces), for display and exact search.</summary>
    public string Normalized { get; }

    internal readonly int[] Keys;
    internal readonly int[] Sounds;
    internal readonly int[] Fuzzy;
    internal readonly bool[] Filler;
    internal readonly int[] OriginalStart;
    internal readonly int[] OriginalEnd;
    /// <summary>BreakBefore[i]: a clause mark (，。！？；：、~ …) stands between unit i − 1 and unit i. ASR often drops
    /// punctuation, so a missing mark proves nothing; but where a mark is written it ends a clause, and the words of
    /// one phrase part do not run across it (查看，是… is not 查看是; 联系，小妹… is not 联系小妹).</summary>
    internal readonly bool[] BreakBefore;

    /// <summary>Whether any clause mark stands between two units (most ASR text: none).</summary>
    internal readonly bool HasBreaks;

    internal readonly ulong[] FuzzyBits = new ulong[64];
    internal readonly ulong[] SoundBits = new ulong[64];

    public int Length => Keys.Length;

    private SpeechText(string original, List<Unit> units)
    {
        Original = original;
        var n = units.Count;
        Keys = new int[n]; Sounds = new int[n]; Fuzzy = new int[n]; Filler = new bool[n];
        OriginalStart = new int[n]; OriginalEnd = new int[n]; BreakBefore = new bool[n];
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var u = units[i];
            Keys[i] = u.Key; Sounds[i] = u.Sound; Fuzzy[i] = u.Fuzzy; Filler[i] = u.Filler;
            OriginalStart[i] = u.Start; OriginalEnd[i] = u.End;
            // Marks around a filler ("let me just, uh, check") belong to the hesitation, not to a clause end.
            if (i > 0 && !u.Filler && !units[i - 1].Filler
                && original.AsSpan(units[i - 1].End, u.Start - units[i - 1].End).IndexOfAny(ClauseMarks) >= 0)
                BreakBefore[i] = HasBreaks = true;
            FuzzyBits[(u.Fuzzy & 4095) >> 6] |= 1UL << (u.Fuzzy & 63);
            SoundBits[(u.Sound & 4095) >> 6] |= 1UL << (u.Sound & 63);
            if (u.IsWord)
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
                sb.Append(u.Surface).Append(' ');
            }
            else if (u.Key < 0x10000) sb.Append((char)u.Key);
            else sb.Append(char.ConvertFromUtf32(u.Key));
        }
        Normalized = sb.ToString().TrimEnd();
    }

    internal bool MayContainFuzzy(int fuzzy) => (FuzzyBits[(fuzzy & 4095) >> 6] & (1UL << (fuzzy & 63))) != 0;

    internal bool MayContainSound(int sound) => (SoundBits[(sound & 4095) >> 6] & (1UL << (sound & 63))) != 0;

    /// <summary>Substring of the original text covered by units [from, to).</summary>
    public string OriginalSpan(int from, int to) =>
        from >= to ? "" : Original[OriginalStart[from]..OriginalEnd[to - 1]];

    /// <summary>Digits spoken in the text, in order (Chinese digit words such as 一三八 included).</summary>
    public string Digits()
    {
        var sb = new StringBuilder();
        foreach (var k in Keys)
            if (k is >= '0' and <= '9') sb.Append((char)k);
        return sb.ToString();
    }

    /// <summary>Traditional characters replaced by their simplified forms, everything else kept as written
    /// (Whisper writes Mandarin in either script; transcripts are stored and shown simplified).</summary>
    public static string ToSimplified(string text)
    {
        StringBuilder? sb = null;
        var i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (ChineseTables.SimplifiedOf.TryGetValue(rune.Value, out var simplified))
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
                sb.Append(char.ConvertFromUtf32(simplified));
            }
            else sb?.Append(rune.ToString());
            i += rune.Utf16SequenceLength;
        }
        return sb?.ToString() ?? text;
    }

    public static SpeechText Parse(string text)
    {
        // NFKC folds full-width Latin, digits and punctuation to their ASCII forms.
        var folded = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        // Offsets below refer to the folded string; NFKC keeps CJK text the same length, and evidence is
        // cut from it, so show the folded form as the original.
        var units = new List<Unit>(folded.Length);
        var i = 0;
        while (i < folded.Length)
        {
            var c = folded[i];
            int cp;
            int width;
            if (char.IsHighSurrogate(c) && i + 1 < folded.Length)
            {
                cp = char.ConvertToUtf32(c, folded[i + 1]);
                width = 2;
            }
            else
            {
                cp = c;
                width = 1;
            }
            if (cp < 128 && (char.IsAsciiLetter((char)cp) || cp == '\''))
            {
                var start = i;
                while (i < folded.Length && (char.IsAsciiLetter(folded[i]) || folded[i] == '\'')) i++;
                var word = folded[start..i].ToLowerInvariant().Trim('\'');
                if (word.Length == 0) continue;
                var id = WordBase + WordIds.GetOrAdd(word, _ => WordIds.Count + 1);
                var stem = word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word;
                var stemId = WordBase + WordIds.GetOrAdd(stem, _ => WordIds.Count + 1);
                units.Add(new Unit(id, id, stemId, EnglishFillers.Contains(word), start, i, word, true));
                continue;
            }
            if (cp is >= '0' and <= '9')
            {
                units.Add(new Unit(cp, cp, cp, false, i, i + 1, null, false));
                i++;
                continue;
            }
            if (ChineseDigits.Contains(c) && TryDigitRun(folded, i, units, out var next))
            {
                i = next;
                continue;
            }
            if (ChineseTables.Lookup(cp) is { Syllable: > 0 } info)
                units.Add(new Unit(info.CodePoint, info.Syllable, FuzzyHanBase + info.Fuzzy, info.Filler, i, i + width, null, false));
            // Anything else (punctuation, spaces, symbols, emoji) separates nothing for matching: ASR
            // punctuation is unreliable, so it is dropped rather than trusted.
            i += width;
        }
        return new SpeechText(folded, units);
    }

    /// <summary>A run of four or more Chinese digit words (一三八一二...) is a number read digit by digit —
    /// a phone, card or order number — and becomes digits. Shorter runs stay words (一下, 两个).</summary>
    private static bool TryDigitRun(string s, int start, List<Unit> units, out int next)
    {
        var end = start;
        while (end < s.Length && ChineseDigits.Contains(s[end])) end++;
        next = end;
        if (end - start < 4) return false;
        for (var k = start; k < end; k++)
        {
            var d = ChineseDigits.IndexOf(s[k]) switch
            {
                0 or 1 => '0',
                11 => '1',   // 幺: how 1 is read in phone numbers
                12 => '2',   // 两
                var x => (char)('0' + x - 1),
            };
            units.Add(new Unit(d, d, d, false, k, k + 1, null, false));
        }
        return true;
    }

    /// <summary>Parses a Chinese or Arabic number at <paramref name="pos"/> of <paramref name="s"/>
    /// (七, 十五, 二十, 3, 15), for knowledge checks such as refund periods.</summary>
    public static bool TryParseNumber(string s, ref int pos, out int value)
    {
        value = 0;
        var start = pos;
        if (pos < s.Length && char.IsAsciiDigit(s[pos]))
        {
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) pos++;
            return int.TryParse(s.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
        const string digits = "零一二三四五六七八九";
        int total = 0, current = 0;
        var any = false;
        while (pos < s.Length)
        {
            var c = s[pos];
            var d = c == '两' ? 2 : digits.IndexOf(c);
            if (d >= 0) { current = d; any = true; }
            else if (c == '十') { total += (current == 0 ? 1 : current) * 10; current = 0; any = true; }
            else if (c == '百') { total += (current == 0 ? 1 : current) * 100; current = 0; any = true; }
            else break;
            pos++;
        }
        value = total + current;
        return any;
    }

    private readonly record struct Unit(int Key, int Sound, int Fuzzy, bool Filler, int Start, int End, string? Surface, bool IsWord);
}
