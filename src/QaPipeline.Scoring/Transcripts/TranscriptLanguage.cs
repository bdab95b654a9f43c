namespace QaPipeline.Scoring.Transcripts;

/// <summary>
/// The language of a transcript from its script: Han characters against Latin words. The centre's two languages
/// are written in different scripts, so counting is enough; no statistical language model is needed.
/// A Han character is compared with a Latin word (not a letter), because each is about one spoken syllable-to-word
/// unit: a Mandarin call that spells "APP" or "OK" stays Mandarin, an English call with a customer's Chinese name
/// stays English. The agent's speech decides when there is enough of it, since the rubric judges the agent.
/// </summary>
public static class TranscriptLanguage
{
    /// <summary>Fewer script units than this say nothing (a one-word call, digits only).</summary>
    public const int MinimumUnits = 4;

    /// <summary>"zh", "en", or null when the text has too little of either script to tell.</summary>
    public static string? Detect(Transcript transcript)
    {
        var agent = Count(transcript.Segments.Where(s => s.Speaker == SpeakerRole.Agent).Select(s => s.Text));
        var (han, latin) = agent.Han + agent.LatinWords >= MinimumUnits
            ? agent
            : Count(transcript.Segments.Select(s => s.Text));
        if (han + latin < MinimumUnits) return null;
        return han >= latin ? "zh" : "en";
    }

    /// <summary>Han characters and Latin words (runs of ASCII or Latin-1 letters) in the texts.</summary>
    public static (int Han, int LatinWords) Count(IEnumerable<string> texts)
    {
        int han = 0, latin = 0;
        foreach (var text in texts)
        {
            var inWord = false;
            foreach (var c in text)
            {
                if (IsHan(c)) han++;
                var letter = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '\u00c0' and <= '\u024f';
                if (letter && !inWord) latin++;
                inWord = letter;
            }
        }
        return (han, latin);
    }

    private static bool IsHan(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf' or >= '\uf900' and <= '\ufaff';

    /// <summary>A language label from a transcript file or Whisper ("zh", "zh-CN", "en-US", "english") as the
    /// centre's two codes, or null for anything else.</summary>
    public static string? Normalize(string? label)
    {
        var l = label?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(l)) return null;
        if (l is "zh" or "chinese" or "mandarin" or "cmn" || l.StartsWith("zh-", StringComparison.Ordinal) || l.StartsWith("zh_", StringComparison.Ordinal))
            return "zh";
        if (l is "en" or "english" || l.StartsWith("en-", StringComparison.Ordinal) || l.StartsWith("en_", StringComparison.Ordinal))
            return "en";
        return null;
    }
}
