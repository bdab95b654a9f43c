using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace QaPipeline.Speech;

/// <summary>What the guard decided about one recognised segment.</summary>
/// <param name="Text">Text to keep (cleaned); empty when dropped.</param>
/// <param name="Reason">Why the segment was dropped or changed; null when kept as it was.</param>
public sealed record GuardVerdict(bool Keep, string Text, string? Reason, double ConfidenceFactor = 1.0)
{
    public static GuardVerdict Drop(string reason) => new(false, "", reason, 0);
}

/// <summary>
/// Whisper's known failure modes on call audio, checked per segment after decoding:
/// <list type="bullet">
/// <item>non-speech markers it emits instead of nothing: <c>[BLANK_AUDIO]</c>, <c>(music)</c>, <c>[音乐]</c>, ♪;</item>
/// <item>text invented over silence or hold music: high no-speech probability together with low confidence
/// (OpenAI's rule: no_speech_prob &gt; 0.6 and avg log-prob &lt; -1), and the subtitle credits it learnt from
/// its training data ("字幕由Amara.org社区提供"), which no caller ever says;</item>
/// <item>repetition loops ("好的好的好的好的…", the same sentence segment after segment): long runs are
/// collapsed; a segment whose text still compresses like a loop (gzip ratio &gt; 2.4, OpenAI's
/// compression_ratio_threshold) is dropped.</item>
/// </list>
/// Pure logic, no engine: the transcriber feeds it text and probabilities.
/// </summary>
public sealed partial class HallucinationGuard
{
    public double NoSpeechThreshold { get; init; } = 0.6;

    /// <summary>exp(-1): OpenAI's logprob_threshold of -1 as a geometric-mean token probability.</summary>
    public double LowConfidence { get; init; } = Math.Exp(-1);

    public double MaxCompressionRatio { get; init; } = 2.4;

    /// <summary>A unit repeated more than this many times in a row is a loop; it is cut back to two.</summary>
    public int MaxRepeats { get; init; } = 4;

    // Whole-segment credits and sign-offs from subtitled video that Whisper produces over silence.
    private static readonly string[] SubtitleCredits =
    [
        "字幕由amara.org社区提供", "请不吝点赞订阅转发打赏支持明镜与点点栏目", "明镜与点点栏目", "字幕志愿者",
        "subtitles by the amara.org community", "thanks for watching", "thank you for watching",
        "please subscribe", "优优独播剧场", "中文字幕", "謝謝觀看", "谢谢观看", "感谢观看",
    ];

    /// <summary>Bracketed annotations: [BLANK_AUDIO], [ Silence ], (music), （笑）, 【音乐】, *applause*.</summary>
    [GeneratedRegex(@"\[[^\]]{0,40}\]|\([^)]{0,40}\)|（[^）]{0,40}）|【[^】]{0,40}】|\*[^*]{0,40}\*|[♪♫♬]+")]
    private static partial Regex Annotation();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Spaces();

    public GuardVerdict Check(string text, double confidence, double noSpeechProbability)
    {
        var cleaned = Spaces().Replace(Annotation().Replace(text, " "), " ").Trim();
        if (cleaned.Length == 0 || cleaned.All(c => char.IsPunctuation(c) || char.IsWhiteSpace(c) || char.IsSymbol(c)))
            return GuardVerdict.Drop(text.Trim().Length == 0 ? "empty" : "non-speech marker");
        if (noSpeechProbability > NoSpeechThreshold && confidence < LowConfidence)
            return GuardVerdict.Drop("no speech");
        if (IsSubtitleCredit(cleaned))
            return GuardVerdict.Drop("subtitle credit");

        // A segment that compresses like a loop is a loop as a whole (OpenAI drops the window); a shorter run
        // inside otherwise real speech is cut back and the rest kept.
        if (CompressionRatio(cleaned) > MaxCompressionRatio)
            return GuardVerdict.Drop("repetition loop");
        var collapsed = CollapseRepeats(cleaned, MaxRepeats);
        if (collapsed.Length != cleaned.Length)
            return new GuardVerdict(true, collapsed, "repetition collapsed", 0.5);
        return new GuardVerdict(true, cleaned, cleaned == text.Trim() ? null : "markers removed");
    }

    /// <summary>Same text as the previous kept segment of this speaker: a loop across windows, not speech.
    /// Short acknowledgements ("好的", "嗯", "OK") legitimately repeat and are allowed.</summary>
    public static bool RepeatsPrevious(string text, string? previous, int minLength = 6) =>
        previous is not null && text.Length >= minLength && Normalize(text) == Normalize(previous);

    internal static bool IsSubtitleCredit(string text)
    {
        var n = Normalize(text);
        return SubtitleCredits.Any(c => n == Normalize(c) || (c.Length >= 6 && n.Contains(Normalize(c), StringComparison.Ordinal)));
    }

    /// <summary>Cuts any run of a unit (1..30 characters) repeated more than <paramref name="maxRepeats"/>
    /// times back to two copies.</summary>
    internal static string CollapseRepeats(string text, int maxRepeats)
    {
        var s = text;
        for (var unit = 1; unit <= 30 && unit * (maxRepeats + 1) <= s.Length; unit++)
        {
            var sb = new StringBuilder(s.Length);
            var i = 0;
            while (i < s.Length)
            {
                if (i + unit * 2 > s.Length) { sb.Append(s, i, s.Length - i); break; }
                var runs = 1;
                while (i + unit * (runs + 1) <= s.Length
                       && string.CompareOrdinal(s, i, s, i + unit * runs, unit) == 0) runs++;
                // Digits repeat legitimately (100000, 8888); everything else repeated this often is a loop.
                if (runs > maxRepeats && !s.Substring(i, unit).All(c => char.IsDigit(c) || char.IsWhiteSpace(c)))
                {
                    sb.Append(s, i, unit * 2);
                    i += unit * runs;
                }
                else
                {
                    sb.Append(s[i]);
                    i++;
                }
            }
            s = sb.ToString();
        }
        return s;
    }

    /// <summary>UTF-8 bytes over gzip-compressed bytes, as OpenAI's transcribe.py computes it. Text below 24
    /// bytes is reported as 1: the gzip header alone would make any short text look incompressible.</summary>
    internal static double CompressionRatio(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length < 24) return 1;
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(bytes);
        return bytes.Length / (double)ms.Length;
    }

    private static string Normalize(string s) =>
        new(s.Where(c => !char.IsWhiteSpace(c) && !char.IsPunctuation(c)).Select(char.ToLowerInvariant).ToArray());
}
