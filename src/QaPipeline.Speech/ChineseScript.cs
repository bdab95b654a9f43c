namespace QaPipeline.Speech;

/// <summary>
/// Whisper writes Mandarin in traditional characters about as often as in simplified ones (its training data
/// mixes both); rubric phrases are simplified. The product has one Chinese normaliser, in the scoring core
/// (QaPipeline.Scoring.TextNormalization); this is the single call site the speech stage uses.
/// </summary>
internal static class ChineseScript
{
    // LEAD: single call site for traditional->simplified. QaPipeline.Scoring.TextNormalization has no public
    // traditional->simplified method in main yet (ChineseTables.SimplifiedOf is internal). When it lands, make
    // this one line call it (e.g. `=> SpeechText.ToSimplified(text)`); until then the text passes through as
    // Whisper wrote it (the scorer still normalises while matching).
    public static string ToSimplified(string text) => text;
}
