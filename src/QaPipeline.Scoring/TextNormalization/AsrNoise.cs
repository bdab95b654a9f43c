using System.Text;

namespace QaPipeline.Scoring.TextNormalization;

/// <summary>How much recognition noise <see cref="AsrNoise"/> adds. Defaults follow what whisper.cpp does to
/// Mandarin service speech in this project's recordings: whole turns in traditional script, about one
/// character in twelve replaced by a homophone, no punctuation; speakers hesitate (那个, 就是, 嗯) mostly at
/// clause boundaries — where the punctuation was — and a one-syllable 嗯/啊/呃 now and then inside a clause.</summary>
public sealed record AsrNoiseLevels(
    double TraditionalTurnShare = 0.5,
    double HomophoneRate = 0.08,
    double BoundaryFillerRate = 0.5,
    double InnerFillerRate = 0.03,
    bool DropPunctuation = true);

/// <summary>
/// Simulates speech-recognition errors on clean text, seeded, so detectors can be measured on what ASR
/// would hand them: traditional characters, homophones (same toneless pinyin), no punctuation, inserted
/// fillers (嗯, 啊, 那个). The inverse of what <see cref="SpeechText"/> undoes, built from the same Unihan
/// tables. Homophones are drawn from a vocabulary of characters (e.g. those of the corpus being noised) so
/// that the substitutes are words a recogniser would actually write, not rare characters.
/// </summary>
public sealed class AsrNoise
{
    private static readonly string[] BoundaryFillers = ["嗯", "啊", "呃", "那个", "就是", "嗯嗯", "这个"];
    private static readonly string[] InnerFillers = ["嗯", "啊", "呃"];

    private readonly AsrNoiseLevels _levels;
    private readonly Dictionary<int, int[]> _homophones = new();
    private static readonly Lazy<Dictionary<int, int>> TraditionalOf = new(BuildTraditional);

    public AsrNoise(IEnumerable<string> vocabulary, AsrNoiseLevels? levels = null)
    {
        _levels = levels ?? new AsrNoiseLevels();
        var bySound = new SortedDictionary<int, SortedSet<int>>();
        foreach (var text in vocabulary)
            foreach (var rune in text.EnumerateRunes())
            {
                var info = ChineseTables.Lookup(rune.Value);
                if (info.Syllable == 0 || info.Filler || info.CodePoint != rune.Value) continue;
                if (!bySound.TryGetValue(info.Syllable, out var set)) bySound[info.Syllable] = set = [];
                set.Add(rune.Value);
            }
        foreach (var (_, chars) in bySound)
        {
            if (chars.Count < 2) continue;
            var all = chars.ToArray();
            foreach (var c in all) _homophones[c] = all.Where(x => x != c).ToArray();
        }
    }

    /// <summary>The text as a recogniser might have written it. Same text and same seed state, same result.</summary>
    public string Apply(string text, Random rng)
    {
        var traditional = rng.NextDouble() < _levels.TraditionalTurnShare;
        var sb = new StringBuilder(text.Length + 8);
        var boundary = rng.NextDouble() < _levels.BoundaryFillerRate;
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsAsciiLetter(text[i]) || text[i] == '\'')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '\'')) i++;
                AppendEnglishWord(sb, text[start..i], rng);
                continue;
            }
            var rune = Rune.GetRuneAt(text, i);
            i += rune.Utf16SequenceLength;
            var cp = rune.Value;
            var info = ChineseTables.Lookup(cp);
            if (info.Syllable == 0 && !Rune.IsLetterOrDigit(rune))
            {
                if (!Rune.IsWhiteSpace(rune) && rng.NextDouble() < _levels.BoundaryFillerRate)
                    boundary = true;
                if (!_levels.DropPunctuation) sb.Append(rune.ToString());
                // Words of Latin script stay apart; Chinese needs no separator.
                else if (sb.Length > 0 && char.IsAsciiLetterOrDigit(sb[^1])) sb.Append(' ');
                continue;
            }
            if (info.Syllable > 0 && !info.Filler)
            {
                if (boundary) sb.Append(BoundaryFillers[rng.Next(BoundaryFillers.Length)]);
                else if (rng.NextDouble() < _levels.InnerFillerRate) sb.Append(InnerFillers[rng.Next(InnerFillers.Length)]);
                boundary = false;
                if (_homophones.TryGetValue(cp, out var alts) && rng.NextDouble() < _levels.HomophoneRate)
                    cp = alts[rng.Next(alts.Length)];
                if (traditional && TraditionalOf.Value.TryGetValue(cp, out var trad)) cp = trad;
            }
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString().Trim();
    }

    // English recognisers write words they heard, not the ones meant: homophones, and hesitations.
    private static readonly Dictionary<string, string[]> EnglishHomophones = new(StringComparer.Ordinal)
    {
        ["to"] = ["too", "two"], ["too"] = ["to"], ["two"] = ["to"], ["for"] = ["four"], ["four"] = ["for"],
        ["your"] = ["you're"], ["you're"] = ["your"], ["there"] = ["their", "they're"], ["their"] = ["there"],
        ["right"] = ["write"], ["by"] = ["bye", "buy"], ["bye"] = ["by"], ["here"] = ["hear"], ["hear"] = ["here"],
        ["know"] = ["no"], ["no"] = ["know"], ["wait"] = ["weight"], ["one"] = ["won"], ["see"] = ["sea"],
        ["would"] = ["wood"], ["hi"] = ["high"], ["hold"] = ["hole"], ["I'll"] = ["aisle"], ["we'll"] = ["wheel"],
        ["which"] = ["witch"], ["new"] = ["knew"], ["sure"] = ["shore"], ["check"] = ["cheque"], ["sorry"] = ["sari"],
    };

    private static readonly string[] EnglishFillers = ["um", "uh", "er", "erm", "mm"];

    private void AppendEnglishWord(StringBuilder sb, string word, Random rng)
    {
        if (sb.Length > 0 && char.IsAsciiLetterOrDigit(sb[^1])) sb.Append(' ');
        if (rng.NextDouble() < _levels.InnerFillerRate * 2) sb.Append(EnglishFillers[rng.Next(EnglishFillers.Length)]).Append(' ');
        if (EnglishHomophones.TryGetValue(word.ToLowerInvariant() is var lower && lower == "i'll" ? "I'll" : lower, out var alts)
            && rng.NextDouble() < _levels.HomophoneRate * 2)
            word = alts[rng.Next(alts.Length)];
        sb.Append(word.ToLowerInvariant() == word ? word : (rng.Next(2) == 0 ? word.ToLowerInvariant() : word));
    }

    /// <summary>Simplified → one traditional form (the lowest code point where several map to the same
    /// simplified character, so the choice is stable).</summary>
    private static Dictionary<int, int> BuildTraditional()
    {
        var map = new Dictionary<int, int>();
        foreach (var (trad, simp) in ChineseTables.SimplifiedOf)
            if (trad != simp && (!map.TryGetValue(simp, out var existing) || trad < existing)) map[simp] = trad;
        return map;
    }
}
