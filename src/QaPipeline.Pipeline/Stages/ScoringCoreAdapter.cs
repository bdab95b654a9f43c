using System.Collections.Concurrent;
using System.Security.Cryptography;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;
#if SCORING_CORE
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
#endif

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// The score stage's production implementation: the pure scoring core (RubricParser, Scorer, ScorecardJson)
/// in process. Rubrics are cached by file hash, so editing the file takes effect on the next call and the
/// scorecard records exactly which rubric text scored it.
/// The project file defines SCORING_CORE when the scoring core's Scorer is present in the tree; a build
/// without it parks calls at the score stage with a reason that says so instead of inventing scores.
/// </summary>
public sealed class ScoringCoreAdapter : IRubricScoring
{
    private readonly ConcurrentDictionary<string, ScoringRubric> _byHash = new();

    public ScoringRubric Load(string rubricPath)
    {
        var bytes = File.ReadAllBytes(rubricPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return _byHash.GetOrAdd(hash, h =>
        {
#if SCORING_CORE
            var rubric = RubricParser.Parse(bytes, rubricPath);
            return new ScoringRubric(rubric.Id, rubric.Version, h, rubric);
#else
            throw new PermanentStageFailure("this build has no scoring core (QaPipeline.Scoring Scorer not merged)");
#endif
        });
    }

    public ScoringResult Score(ScoringRubric rubric, Transcript transcript, AcousticFacts? facts)
    {
#if SCORING_CORE
        var card = Scorer.Score((Rubric)rubric.Loaded, transcript, facts);
        var review = card.Items.Where(i => i.Verdict == Verdict.Review).Select(i => i.Id).ToList();
        return new ScoringResult(card.Score, card.MaxScore, card.Fatal, review, ScorecardJson.Write(card, callId: transcript.CallId));
#else
        throw new PermanentStageFailure("this build has no scoring core (QaPipeline.Scoring Scorer not merged)");
#endif
    }
}
