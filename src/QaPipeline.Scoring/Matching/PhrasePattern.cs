using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Matching;

/// <summary>
/// A rubric phrase compiled for matching against <see cref="SpeechText"/>. A phrase may hold gaps, written
/// <c>…</c> (or <c>...</c>): up to <see cref="MaxGap"/> words of any kind between its parts, so that
/// "小妹…核实" covers 小妹这边帮您核实 and 小妹马上核实 alike. Gaps let a rubric state the shape of what
/// agents say (who + what they do) instead of listing every filler between the two.
/// </summary>
public sealed class PhrasePattern
{
    /// <summary>Most units (characters, words) a gap may span; fillers are free and not counted.</summary>
    public const int MaxGap = 8;

    public string Phrase { get; }
    internal readonly int[] Keys;
    internal readonly int[] Sounds;
    internal readonly int[] Fuzzy;

    /// <summary>GapAt[i]: words may be inserted for free after the first i units (null: no gap).</summary>
    internal readonly bool[]? GapAt;

    /// <summary>BreakAt[i]: the phrase itself is written with a clause mark after its first i units ("got it, the"), so
    /// the text may have one there (null: none). Elsewhere inside a part a written mark in the text ends the match.</summary>
    internal readonly bool[]? BreakAt;

    /// <summary>A two-character question tag (是吗, 对吗, 对吧): its first character must be written, only the particle may
    /// be heard. A homophone of the head turns every word ending in that syllable into the tag (方式吗 ≈ 是吗), and ASR
    /// writes these frequent tags as they are.</summary>
    internal readonly bool HeadWritten;

    private const string QuestionParticles = "吗么吧嘛呢";

    public int Length => Keys.Length;

    public bool HasGaps => GapAt is not null;

    public PhrasePattern(string phrase)
    {
        Phrase = phrase;
        var parts = phrase.Replace("...", "…", StringComparison.Ordinal).Split('…');
        var keys = new List<int>();
        var sounds = new List<int>();
        var fuzzy = new List<int>();
        var gaps = new List<int>();
        var breaks = new List<int>();
        foreach (var part in parts)
        {
            if (keys.Count > 0) gaps.Add(keys.Count);
            var text = SpeechText.Parse(part);
            // Fillers in a phrase ("还有什么可以帮您的呢") are optional in speech; drop them unless they are the
            // point of the part: nothing but fillers, or one word and its particle (对吧, 是吧 ask for confirmation).
            var keep = Enumerable.Range(0, text.Length).Where(i => !text.Filler[i]).ToArray();
            if (keep.Length <= 1) keep = Enumerable.Range(0, text.Length).ToArray();
            for (var k = 1; k < keep.Length; k++)
                if (Enumerable.Range(keep[k - 1] + 1, keep[k] - keep[k - 1]).Any(u => text.BreakBefore[u])) breaks.Add(keys.Count + k);
            keys.AddRange(keep.Select(i => text.Keys[i]));
            sounds.AddRange(keep.Select(i => text.Sounds[i]));
            fuzzy.AddRange(keep.Select(i => text.Fuzzy[i]));
        }
        Keys = keys.ToArray();
        Sounds = sounds.ToArray();
        Fuzzy = fuzzy.ToArray();
        HeadWritten = Keys.Length == 2 && Keys[1] < 0x10000 && QuestionParticles.Contains((char)Keys[1]);
        if (breaks.Count > 0)
        {
            BreakAt = new bool[Keys.Length + 1];
            foreach (var b in breaks) BreakAt[b] = true;
        }
        gaps.RemoveAll(g => g <= 0 || g >= Keys.Length);
        if (gaps.Count > 0)
        {
            GapAt = new bool[Keys.Length + 1];
            foreach (var g in gaps) GapAt[g] = true;
        }
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
        var keys = text.Keys.AsSpan();
        for (var exact = keys.IndexOf(pattern.Keys); exact >= 0;)
        {
            if (!CrossesBreak(text, pattern, exact)) return new PhraseMatch(pattern, 1.0, exact, exact + m);
            var next = keys[(exact + 1)..].IndexOf(pattern.Keys);
            exact = next < 0 ? -1 : exact + 1 + next;
        }
        if (pattern.GapAt is not null && ExactWithGaps(text, pattern) is { } gapped) return gapped;
        if (minSimilarity >= 1.0) return null;

        // Cheap filter, a lower bound of the alignment cost: a phrase unit whose fuzzy class never occurs in the
        // text costs a full miss, one whose sound never occurs at least a near-homophone.
        var budget = (1 - minSimilarity) * m + 1e-9;
        var bound = 0.0;
        for (var i = 0; i < m; i++)
        {
            if (!text.MayContainFuzzy(pattern.Fuzzy[i])) bound += MissingCost;
            else if (!text.MayContainSound(pattern.Sounds[i])) bound += FuzzyCost;
            else continue;
            if (bound > budget) return null;
        }

        return Align(text, pattern, budget);
    }

    /// <summary>Whether the text may have a clause mark after the first <paramref name="k"/> units of the phrase:
    /// at a gap, or where the phrase itself is written with one.</summary>
    private static bool MayBreak(PhrasePattern p, int k) => (p.GapAt is not null && p.GapAt[k]) || (p.BreakAt is not null && p.BreakAt[k]);

    /// <summary>Whether the phrase written exactly at <paramref name="start"/> runs across a clause mark inside one
    /// of its parts (a gap may span clauses; the words of a part may not).</summary>
    private static bool CrossesBreak(SpeechText text, PhrasePattern p, int start)
    {
        if (!text.HasBreaks) return false;
        for (var k = 1; k < p.Length; k++)
            if (text.BreakBefore[start + k] && !MayBreak(p, k)) return true;
        return false;
    }

    /// <summary>The parts of a gapped phrase written exactly, in order, each gap within the bound — the common
    /// case, found without the alignment.</summary>
    private static PhraseMatch? ExactWithGaps(SpeechText text, PhrasePattern p)
    {
        var keys = text.Keys.AsSpan();
        var parts = new List<(int From, int To)>(3);
        var from = 0;
        for (var i = 1; i <= p.Length; i++)
            if (i == p.Length || p.GapAt![i]) { parts.Add((from, i)); from = i; }
        var first = p.Keys.AsSpan(parts[0].From, parts[0].To - parts[0].From);
        for (var start = keys.IndexOf(first); start >= 0;)
        {
            var end = start + first.Length;
            var ok = true;
            for (var k = 1; k < parts.Count && ok; k++)
            {
                var part = p.Keys.AsSpan(parts[k].From, parts[k].To - parts[k].From);
                var at = keys[end..].IndexOf(part);
                if (at < 0) return null;   // no later occurrence of this part at all
                var gap = 0;
                for (var j = end; j < end + at; j++) if (!text.Filler[j]) gap++;
                if (gap > PhrasePattern.MaxGap) ok = false;
                else end += at + part.Length;
            }
            // Parts are matched exactly; a part written across a clause mark is no match here (the alignment may still
            // find the phrase elsewhere).
            if (ok && text.HasBreaks && PartCrossesBreak(text, parts, start, end, p)) ok = false;
            if (ok) return new PhraseMatch(p, 1.0, start, end);
            var next = keys[(start + 1)..].IndexOf(first);
            start = next < 0 ? -1 : start + 1 + next;
        }
        return null;
    }

    /// <summary>Whether any part of a gapped match spanning [start, end) has a clause mark between its own units.</summary>
    private static bool PartCrossesBreak(SpeechText text, List<(int From, int To)> parts, int start, int end, PhrasePattern p)
    {
        // Re-walk the match: each part's units follow one another exactly, so a break inside a part is a break
        // before one of that part's units other than its first.
        var keys = text.Keys.AsSpan();
        var at = start;
        foreach (var (from, to) in parts)
        {
            var part = p.Keys.AsSpan(from, to - from);
            var found = keys[at..end].IndexOf(part);
            if (found < 0) return true;
            at += found;
            for (var k = 1; k < part.Length; k++)
                if (text.BreakBefore[at + k] && !MayBreak(p, from + k)) return true;
            at += part.Length;
        }
        return false;
    }

    private static PhraseMatch? Align(SpeechText text, PhrasePattern p, double budget)
    {
        var m = p.Length;
        var n = text.Length;
        var gapAt = p.GapAt;
        Span<double> prev = stackalloc double[m + 1];
        Span<double> cur = stackalloc double[m + 1];
        Span<int> prevStart = stackalloc int[m + 1];
        Span<int> curStart = stackalloc int[m + 1];
        // Words already spent in gaps on the best path to each cell, so that a gap stays bounded.
        Span<int> prevGap = stackalloc int[gapAt is null ? 0 : m + 1];
        Span<int> curGap = stackalloc int[gapAt is null ? 0 : m + 1];
        for (var i = 0; i <= m; i++) { prev[i] = i * MissingCost; prevStart[i] = 0; }
        var best = double.MaxValue;
        int bestEnd = -1, bestStart = -1;
        for (var j = 1; j <= n; j++)
        {
            cur[0] = 0;
            curStart[0] = j;
            var filler = text.Filler[j - 1];
            var insert = filler ? 0.0 : InsertCost;
            // A clause mark before this text unit: continuing a phrase part across it costs a missing word.
            var breakCost = text.BreakBefore[j - 1] ? MissingCost : 0.0;
            for (var i = 1; i <= m; i++)
            {
                var sub = prev[i - 1] + Substitution(p, i - 1, text, j - 1);
                var del = cur[i - 1] + MissingCost;
                var free = gapAt is not null && !filler && gapAt[i] && prevGap[i] < PhrasePattern.MaxGap;
                var ins = prev[i] + (free ? 0 : insert);
                if (breakCost > 0)
                {
                    // Inside a part (not at its first unit, not in a gap) a clause mark may not be crossed for free.
                    if (i > 1 && !MayBreak(p, i - 1)) sub += breakCost;
                    if (i < m && !free && !MayBreak(p, i)) ins += breakCost;
                }
                // At i == m a trailing insertion would only widen the span, never help.
                if (sub <= del && sub <= ins)
                {
                    cur[i] = sub; curStart[i] = prevStart[i - 1];
                    if (gapAt is not null) curGap[i] = prevGap[i - 1];
                }
                else if (del <= ins)
                {
                    cur[i] = del; curStart[i] = curStart[i - 1];
                    if (gapAt is not null) curGap[i] = curGap[i - 1];
                }
                else
                {
                    cur[i] = ins; curStart[i] = prevStart[i];
                    if (gapAt is not null) curGap[i] = prevGap[i] + (free ? 1 : 0);
                }
            }
            if (cur[m] < best)
            {
                best = cur[m];
                bestEnd = j;
                bestStart = curStart[m];
            }
            cur.CopyTo(prev);
            curStart.CopyTo(prevStart);
            if (gapAt is not null) curGap.CopyTo(prevGap);
        }
        if (best > budget) return null;
        return new PhraseMatch(p, Math.Round(1 - best / m, 4), bestStart, bestEnd);
    }

    private static double Substitution(PhrasePattern p, int i, SpeechText t, int j)
    {
        if (p.Keys[i] == t.Keys[j]) return 0;
        if (i == 0 && p.HeadWritten) return MissingCost;
        if (p.Sounds[i] == t.Sounds[j]) return HomophoneCost;
        if (p.Fuzzy[i] == t.Fuzzy[j]) return FuzzyCost;
        return MissingCost;
    }
}
