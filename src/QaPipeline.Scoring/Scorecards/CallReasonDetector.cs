using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>A call reason found in a call, with the words that showed it (the first match).</summary>
public sealed record DetectedReason(string Id, string Name, Evidence Evidence);

/// <summary>Tags a call with the rubric's call reasons: each reason whose phrases someone in the call said
/// (the reason's speaker, or anyone). A call may have several reasons, or none.</summary>
public static class CallReasonDetector
{
    internal static IReadOnlyList<DetectedReason> Detect(Rubric rubric, CallView call)
    {
        var found = new List<DetectedReason>();
        foreach (var reason in rubric.CallReasons)
            foreach (var segment in call.Segments)
            {
                if (reason.Speaker is { } who && segment.Speaker != who) continue;
                if (PhraseSearch.Best(segment.Text, reason.Phrases) is not { } m) continue;
                found.Add(new DetectedReason(reason.Id, reason.Name, segment.ToEvidence(m.Pattern.Phrase, Math.Round(m.Similarity, 3))));
                break;
            }
        return found;
    }

    /// <summary>The reasons one line shows, ignoring who said it (the rubric author's tester and the labelled-line tests).</summary>
    public static IReadOnlyList<string> MatchLine(Rubric rubric, string line)
    {
        var text = TextNormalization.SpeechText.Parse(line);
        return rubric.CallReasons.Where(r => PhraseSearch.Best(text, r.Phrases) is not null).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
    }
}
