using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.TestSupport;

namespace QaPipeline.Scoring.Tests;

/// <summary>The repository's own rubric files, loaded as the product loads them.</summary>
public static class TestRubrics
{
    public static string RepoRoot => RepositoryPaths.Root;

    private static readonly Lazy<Rubric> ZhLazy = new(() => Load("zh-CN.yaml"));
    private static readonly Lazy<Rubric> EnLazy = new(() => Load("en-US.yaml"));

    public static Rubric Zh => ZhLazy.Value;
    public static Rubric En => EnLazy.Value;

    public static Rubric Load(string name)
    {
        var path = Path.Combine(RepoRoot, "scoring-rules", name);
        return RubricParser.Parse(File.ReadAllBytes(path), path);
    }
}

/// <summary>Builds dialogues for tests: timed segments, or the plain 坐席：/客户： text form.</summary>
public static class Dialogue
{
    public static Transcript Timed(params (string Speaker, double Start, double End, string Text)[] turns) =>
        Timed(turns.Select(t => (t.Speaker, t.Start, t.End, t.Text, (double?)0.95)).ToArray());

    public static Transcript Timed(params (string Speaker, double Start, double End, string Text, double? Confidence)[] turns) =>
        new(turns.Select(t => new TranscriptSegment(Role(t.Speaker), t.Start, t.End, t.Text, t.Confidence)).ToList(), TranscriptSource.Whisper);

    public static Transcript Plain(string text) => TranscriptFormat.Parse(text);

    public static SpeakerRole Role(string s) => s switch
    {
        "agent" or "a" => SpeakerRole.Agent,
        "customer" or "c" => SpeakerRole.Customer,
        _ => SpeakerRole.Mixed,
    };

    public static ItemVerdict Item(this Scorecard card, string id) => card.Items.Single(i => i.Id == id);

    public static AcousticFacts Facts(double duration, IEnumerable<TimeSpanS>? silences = null, IEnumerable<Overlap>? overlaps = null) =>
        new(duration, 2,
            new Dictionary<string, SpeakerActivity>
            {
                ["agent"] = new(duration * 0.4, []),
                ["customer"] = new(duration * 0.4, []),
            },
            (silences ?? []).ToList(), (overlaps ?? []).ToList(),
            new Dictionary<string, double> { ["agent"] = 0.5, ["customer"] = 0.5 });
}
