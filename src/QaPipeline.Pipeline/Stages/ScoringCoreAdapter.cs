using System.Collections.Concurrent;
using System.Security.Cryptography;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// The score stage's production implementation: the pure scoring core (RubricParser, Scorer, ScorecardJson)
/// in process. Rubrics are cached by file hash, so editing the file takes effect on the next call and the
/// scorecard records exactly which rubric text scored it.
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
            var rubric = QaPipeline.Centre.Rubrics.RubricLoader.Parse(bytes, rubricPath);
            return new ScoringRubric(rubric.Id, rubric.Version, h, rubric);
        });
    }

    public ScoringResult Score(ScoringRubric rubric, Transcript transcript, AcousticFacts? facts)
    {
        var card = Scorer.Score(rubric.Loaded, transcript, facts);
        return new ScoringResult(card.Score, card.MaxScore, card.Fatal, ScorecardJson.Write(card, callId: transcript.CallId));
    }
}
