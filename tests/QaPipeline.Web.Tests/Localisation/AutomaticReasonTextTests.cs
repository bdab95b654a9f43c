using System.Text.RegularExpressions;
using QaPipeline.Bench.Seeding;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Localisation;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The scoring core's automatic reasons are shown in the viewer's language: every reason the core gives on the sample
/// dialogues under every rubric of the folder has a known shape, the English rendering reproduces the core's text
/// exactly (so the stored/CLI reason and the English page agree), and the Chinese one has no English words left.
/// </summary>
public sealed partial class AutomaticReasonTextTests
{
    public static TheoryData<string> Rubrics()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(WebApp.RepoRoot, "scoring-rules"), "*.yaml").Where(f => !f.EndsWith("routing.yaml")).Order())
            data.Add(Path.GetFileName(file));
        return data;
    }

    [GeneratedRegex(@"\b[a-z]{3,}\b")]
    private static partial Regex EnglishWord();

    [Theory]
    [MemberData(nameof(Rubrics))]
    public void Every_automatic_reason_has_a_shape_that_reads_the_same_in_english_and_has_no_english_in_chinese(string rubricFile)
    {
        var path = Path.Combine(WebApp.RepoRoot, "scoring-rules", rubricFile);
        var rubric = RubricLoader.Parse(File.ReadAllBytes(path), path);
        var reasons = DemoSeed.Dialogues(Path.Combine(WebApp.RepoRoot, "samples"))
            .SelectMany(d => Scorer.Score(rubric, d.Transcript).Items)
            .Select(i => (i.Reason, rubric.Items.First(r => r.Id == i.Id)))
            .DistinctBy(r => r.Reason).ToList();
        Assert.True(reasons.Count >= 10, $"{reasons.Count} distinct reasons");
        var problems = new List<string>();
        foreach (var (reason, item) in reasons)
        {
            // The description argument must be exactly the item's description (not a description with words of the
            // sentence swallowed, which would leave them untranslated).
            string Described(string d, string shown)
            {
                if (d != item.Description) problems.Add($"description: {reason} => '{d}'");
                return shown;
            }
            var english = AutomaticReasonText.Render(reason, UiText.For(chinese: false), d => Described(d, d));
            var chinese = AutomaticReasonText.Render(reason, UiText.For(chinese: true), d => Described(d, item.DescriptionZh ?? d));
            if (english != reason) problems.Add($"english: {reason} => {english ?? "(no shape)"}");
            // Phrases and ids quoted from the rubric may be English (en-US); the sentence around them may not.
            else if (chinese is null || EnglishWord().IsMatch(Regex.Replace(chinese, "“[^”]*”|'[^']*'|\\([^)]*[a-z][^)]*\\)|（[^）]*[a-z][^）]*）", "")))
                problems.Add($"chinese: {reason} => {chinese}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void A_reason_of_an_unknown_shape_is_shown_as_stored()
    {
        Assert.Equal("a reason from a newer core", AutomaticReasonText.Show("a reason from a newer core", UiText.For(chinese: true), d => d));
        Assert.Equal("“开场问候”：出现 2 次", AutomaticReasonText.Show("开场问候: 2 occurrences", UiText.For(chinese: true), d => d));
    }
}
