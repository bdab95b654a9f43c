using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Speech;

/// <summary>
/// The phrases a rubric listens for, in rubric order, to bias Whisper towards them (its initial prompt):
/// what agents must say (required phrases, conditional responses, courtesy-rate phrases, hold excuses) and what
/// triggers a rule (a customer's "投诉"). Forbidden phrases are left out on purpose: priming the decoder with
/// them would make it hear them, and a false forbidden phrase can zero a call.
/// </summary>
public static class RubricKeyPhrases
{
    public static IReadOnlyList<string> From(Rubric rubric)
    {
        var phrases = new List<string>();
        foreach (var item in rubric.Items)
        {
            IEnumerable<PhraseSet> sets = item.Rule switch
            {
                RequiredPhraseRule r => [r.Phrases],
                ConditionalRule c => [c.Response, c.Trigger.Phrases],
                RateRule r => [r.Phrases],
                AcousticRule a => [a.ExcusedBy],
                _ => [],
            };
            // A gapped phrase ("小妹…核实") is a shape, not words anyone says: it would only confuse the decoder.
            phrases.AddRange(sets.SelectMany(s => s.Phrases).Where(p => !p.HasGaps).Select(p => p.Phrase));
        }
        return phrases.Distinct(StringComparer.Ordinal).ToList();
    }
}
