using System.Globalization;
using System.Reflection;

namespace QaPipeline.Scoring.TextNormalization;

/// <summary>
/// Per-character tables generated from the Unicode Unihan database by tools/generate-unihan-tables.sh
/// (kMandarin for pinyin, kSimplifiedVariant for traditional→simplified) and embedded in the assembly,
/// so the core needs no pinyin library and does no file I/O.
/// </summary>
internal static class ChineseTables
{
    /// <summary>Toneless pinyin syllable id per code point (0 = no reading). Ids are dense from 1.</summary>
    public static readonly Dictionary<int, int> SyllableOf = new();

    /// <summary>Fuzzy syllable id per syllable id: merges the confusions Mandarin ASR and southern
    /// accents make (zh/z, ch/c, sh/s, l/n, front/back nasals, and nasal-final drop as in 您/你).</summary>
    public static int[] FuzzyOf = [];

    public static readonly List<string> Syllables = [""];

    public static readonly Dictionary<int, int> SimplifiedOf = new();

    // Chinese modal particles and hesitation sounds that agents and ASR insert anywhere ("您好呀", "请您稍等哈",
    // "亲，"): free to skip inside a match. Not 的/了, which change meaning.
    public const string Fillers = "嗯啊呃额哦哈呢呀吧啦嘛哎唉诶欸噢喔亲哟咯噻";

    /// <summary>Everything the normaliser needs about a character, resolved once.</summary>
    public readonly record struct CharInfo(int CodePoint, int Syllable, int Fuzzy, bool Filler);

    // Flat table for the Basic Multilingual Plane: scoring normalises every character of every call, and
    // an array index is several times cheaper than three dictionary lookups.
    private static readonly CharInfo[] Bmp = new CharInfo[0x10000];

    public static CharInfo Lookup(int cp) => cp < 0x10000 ? Bmp[cp] : Resolve(cp);

    private static CharInfo Resolve(int cp)
    {
        var simplified = SimplifiedOf.TryGetValue(cp, out var s) ? s : cp;
        if (!SyllableOf.TryGetValue(simplified, out var syllable)) return default;
        var filler = simplified < 0x10000 && Fillers.Contains((char)simplified);
        return new CharInfo(simplified, syllable, FuzzyOf[syllable], filler);
    }

    static ChineseTables()
    {
        var syllableIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (cp, value) in ReadTsv("pinyin.tsv"))
        {
            if (!syllableIds.TryGetValue(value, out var id))
            {
                id = Syllables.Count;
                Syllables.Add(value);
                syllableIds[value] = id;
            }
            SyllableOf[cp] = id;
        }
        foreach (var (cp, value) in ReadTsv("traditional-to-simplified.tsv"))
            SimplifiedOf[cp] = int.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        var fuzzyIds = new Dictionary<string, int>(StringComparer.Ordinal);
        FuzzyOf = new int[Syllables.Count];
        for (var i = 1; i < Syllables.Count; i++)
        {
            var key = FuzzyKey(Syllables[i]);
            if (!fuzzyIds.TryGetValue(key, out var f)) fuzzyIds[key] = f = fuzzyIds.Count + 1;
            FuzzyOf[i] = f;
        }
        for (var cp = 0x2E80; cp < 0x10000; cp++) Bmp[cp] = Resolve(cp);
    }

    internal static string FuzzyKey(string syllable)
    {
        var s = syllable;
        if (s.StartsWith("zh", StringComparison.Ordinal) || s.StartsWith("ch", StringComparison.Ordinal) || s.StartsWith("sh", StringComparison.Ordinal))
            s = s[0] + s[2..];
        if (s.StartsWith('l')) s = "n" + s[1..];
        if (s.EndsWith('g')) s = s[..^1];
        if (s.Length > 1 && s.EndsWith('n')) s = s[..^1];
        return s;
    }

    private static IEnumerable<(int CodePoint, string Value)> ReadTsv(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"embedded table {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var tab = line.IndexOf('\t');
            yield return (int.Parse(line.AsSpan(0, tab), NumberStyles.HexNumber, CultureInfo.InvariantCulture), line[(tab + 1)..]);
        }
    }
}
