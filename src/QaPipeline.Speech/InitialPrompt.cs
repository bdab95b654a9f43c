namespace QaPipeline.Speech;

/// <summary>
/// Builds Whisper's initial prompt from the rubric's key phrases ("您好，很高兴为您服务", "工号", "还有什么可以帮您"),
/// so that the decoder leans towards the centre's vocabulary and, for Chinese, towards simplified characters
/// and full-width punctuation (Whisper continues in the script and style of its prompt).
/// Whisper keeps at most half its text context (224 tokens) of prompt and silently drops the oldest tokens
/// beyond that, so the prompt is cut here, at a phrase boundary, with the first phrases (the most important
/// ones, in rubric order) kept.
/// </summary>
public static class InitialPrompt
{
    public static string? Build(IEnumerable<string> phrases, Func<string, int> countTokens, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var kept = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in phrases)
        {
            var phrase = raw.Trim();
            if (phrase.Length == 0 || !seen.Add(phrase)) continue;
            var candidate = Join([.. kept, phrase]);
            if (countTokens(candidate) > maxTokens) break;
            kept.Add(phrase);
        }
        return kept.Count == 0 ? null : Join(kept);
    }

    private static string Join(List<string> phrases)
    {
        var chinese = phrases.Any(p => p.Any(IsCjk));
        return chinese ? string.Join("，", phrases) + "。" : string.Join(", ", phrases) + ".";
    }

    internal static bool IsCjk(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf';
}
