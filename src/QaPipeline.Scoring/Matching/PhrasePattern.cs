using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Matching;

/// <summary>A rubric phrase compiled for matching against <see cref="SpeechText"/>.</summary>
public sealed class PhrasePattern
{
    public string Phrase { get; }
    internal readonly int[] Keys;
    internal readonly int[] Sounds;
    internal readonly int[] Fuzzy;

    public int Length => Keys.Length;

    public PhrasePattern(string phrase)
    {
        Phrase = phrase;
        var text = SpeechText.Parse(phrase);
        // Fillers in a phrase ("还有什么可以帮您的呢") are optional in speech; drop them unless the phrase is
        // nothing but fillers.
        var keep = Enumerable.Range(0, text.Length).Where(i => !text.Filler[i]).ToArray();
        if (keep.Length == 0) keep = Enumerable.Range(0, text.Length).ToArray();
        Keys = keep.Select(i => text.Keys[i]).ToArray();
        Sounds = keep.Select(i => text.Sounds[i]).ToArray();
        Fuzzy = keep.Select(i => text.Fuzzy[i]).ToArray();
    }

    public override string ToString() => Phrase;
}

/// <summary>Where and how well a phrase matched: units [Start, End) of the text, similarity 0..1.</summary>
public readonly record struct PhraseMatch(PhrasePattern Pattern, double Similarity, int Start, int End);

/// <summary>
/// Approximate phrase search over speech units: semi-global edit distance (Sellers 1980) — the phrase
/// must be covered, the text around it is free. Substituting a homophone (same toneless pinyin) costs
/// little, a near-homophone (fuzzy pinyin class) more, fillers in the text cost nothing, other inserted
/// words cost less than a missing phrase word so that real agents' extra words ("您好，欢迎您来电") still
/// match. Similarity = 1 − cost / phrase length.
/// </summary>
public static class PhraseMatcher
{
    public const double HomophoneCost = 0.1;
    public const double FuzzyCost = 0.4;
    public const double InsertCost = 0.6;
    public const double MissingCost = 1.0;

    /// <summary>Best match of <paramref name="pattern"/> in <paramref name="text"/> with similarity at least
    /// <paramref name="minSimilarity"/>, or null.</summary>
    public static PhraseMatch? Find(SpeechText text, PhrasePattern pattern, double minSimilarity)
    {
        var m = pattern.Length;
        if (m == 0 || text.Length == 0) return null;
        var exact = text.Keys.AsSpan().IndexOf(pattern.Keys);
        if (exact >= 0) return new PhraseMatch(pattern, 1.0, exact, exact + m);
        if (minSimilarity >= 1.0) return null;

        // Cheap filter: a phrase unit whose fuzzy class never occurs in the text must be paid for in full.
        var budget = (1 - minSimilarity) * m + 1e-9;
        var absent = 0;
        for (var i = 0; i < m; i++)
            if (!text.MayContainFuzzy(pattern.Fuzzy[i]) && ++absent > budget) return null;

        return Align(text, pattern, budget);
    }

    private static PhraseMatch? Align(SpeechText text, PhrasePattern p, double budget)
    {
        var m = p.Length;
        var n = text.Length;
        Span<double> prev = stackalloc double[m + 1];
        Span<double> cur = stackalloc double[m + 1];
        Span<int> prevStart = stackalloc int[m + 1];
        Span<int> curStart = stackalloc int[m + 1];
        for (var i = 0; i <= m; i++) { prev[i] = i * MissingCost; prevStart[i] = 0; }
        var best = double.MaxValue;
        int bestEnd = -1, bestStart = -1;
        for (var j = 1; j <= n; j++)
        {
            cur[0] = 0;
            curStart[0] = j;
            var insert = text.Filler[j - 1] ? 0.0 : InsertCost;
            for (var i = 1; i <= m; i++)
            {
                var sub = prev[i - 1] + Substitution(p, i - 1, text, j - 1);
                var subStart = prevStart[i - 1];
                var del = cur[i - 1] + MissingCost;
                var ins = prev[i] + insert;
                // At i == m a trailing insertion would only widen the span, never help.
                if (sub <= del && sub <= ins) { cur[i] = sub; curStart[i] = subStart; }
                else if (del <= ins) { cur[i] = del; curStart[i] = curStart[i - 1]; }
                else { cur[i] = ins; curStart[i] = prevStart[i]; }
            }
            if (cur[m] < best)
            {
                best = cur[m];
                bestEnd = j;
                bestStart = curStart[m];
            }
            cur.CopyTo(prev);
            curStart.CopyTo(prevStart);
        }
        if (best > budget) return null;
        return new PhraseMatch(p, Math.Round(1 - best / m, 4), bestStart, bestEnd);
    }

    private static double Substitution(PhrasePattern p, int i, SpeechText t, int j)
    {
        if (p.Keys[i] == t.Keys[j]) return 0;
        if (p.Sounds[i] == t.Sounds[j]) return HomophoneCost;
        if (p.Fuzzy[i] == t.Fuzzy[j]) return FuzzyCost;
        return MissingCost;
    }
}
