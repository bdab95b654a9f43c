using System.Text.Json.Nodes;
using QaPipeline.Bench;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.TextNormalization;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests;

/// <summary>
/// The phrase detectors on the labelled real agent lines: the JDDC set's labels joined with the corpus in
/// ../shared (missing corpus = failure, never a skip), and <c>qa bench rules</c> end to end.
/// </summary>
public class RulesBenchTests
{
    private static LabelledSet Load(string name)
    {
        var path = Path.Combine(RepositoryPaths.Root, "bench", "labels", name);
        return LabelledSet.Parse(File.ReadAllText(path), path, corpus =>
        {
            var file = Path.Combine(RepositoryPaths.Shared, corpus);
            Assert.True(File.Exists(file), $"the labelled set needs its corpus: {file} is missing");
            return File.ReadAllLines(file);
        });
    }

    private static Rubric Rubric(LabelledSet set)
    {
        var path = Path.Combine(RepositoryPaths.Root, set.Rubric);
        return RubricParser.Parse(File.ReadAllBytes(path), path);
    }

    // Floors just under the figures recorded in README (test part, clean, over the lines the detector decides: a
    // line found only by a review phrase goes to a monitor and is not counted): a change that makes a detector
    // worse on real agent lines fails here. Raise them when the detectors improve.
    [Theory]
    [InlineData("jddc-zh-CN.tsv", "greeting.opening", 0.98)]
    [InlineData("jddc-zh-CN.tsv", "wait.request", 0.96)]
    [InlineData("jddc-zh-CN.tsv", "wait.thanks", 0.97)]
    [InlineData("jddc-zh-CN.tsv", "closing.more_help", 0.99)]
    [InlineData("jddc-zh-CN.tsv", "closing.farewell", 0.99)]
    [InlineData("jddc-zh-CN.tsv", "courtesy.apology", 0.98)]
    [InlineData("jddc-zh-CN.tsv", "courtesy.empathy", 0.95)]
    [InlineData("jddc-zh-CN.tsv", "courtesy.polite_words", 0.98)]
    [InlineData("jddc-zh-CN.tsv", "handling.confirm", 0.90)]
    [InlineData("jddc-zh-CN.tsv", "handling.verify", 0.88)]
    [InlineData("en-US.tsv", "greeting.self_intro", 0.95)]
    [InlineData("en-US.tsv", "courtesy.polite_words", 0.95)]
    public void Detectors_agree_with_the_labels_on_the_test_part_of_real_agent_lines(string set, string itemId, double minF1)
    {
        var labelled = Load(set);
        var item = Rubric(labelled).Items.Single(i => i.Id == itemId);
        int tp = 0, fp = 0, fn = 0;
        foreach (var line in labelled.Lines.Where(l => l.Part == LabelledPart.Test))
        {
            var detection = Scorer.DetectInLine(item, SpeechText.Parse(line.Text));
            if (detection is { Review: true }) continue;
            var fired = detection is not null;
            var gold = line.Gold.Contains(itemId);
            if (fired && gold) tp++;
            else if (fired) fp++;
            else if (gold) fn++;
        }
        var f1 = 2.0 * tp / (2 * tp + fp + fn);
        Assert.True(f1 >= minF1, $"{itemId} on {set}: F1 {f1:0.000} (tp {tp}, fp {fp}, fn {fn}) is below {minF1}");
    }

    // "No item's precision drops below 0.95" (a false pass hides a breach), on the test part, clean, over decided lines.
    // self_intro has no positive on the test part: its floor is no false pass at all.
    [Theory]
    [InlineData("handling.confirm", 0.95, 0)]
    [InlineData("handling.verify", 0.95, 0)]
    [InlineData("closing.farewell", 0.95, 0)]
    [InlineData("attitude.forbidden", 0.95, 0)]
    [InlineData("greeting.self_intro", 0.95, 0)]
    [InlineData("wait.request", 0.95, 0)]
    [InlineData("courtesy.empathy", 0.95, 0)]
    public void Detectors_seldom_pass_a_line_the_labels_say_does_not_show_the_item(string itemId, double minPrecision, int maxFalseWithoutPositives)
    {
        var labelled = Load("jddc-zh-CN.tsv");
        var item = Rubric(labelled).Items.Single(i => i.Id == itemId);
        int tp = 0, fp = 0;
        foreach (var line in labelled.Lines.Where(l => l.Part == LabelledPart.Test))
        {
            if (Scorer.DetectInLine(item, SpeechText.Parse(line.Text)) is not { Review: false }) continue;
            if (line.Gold.Contains(itemId)) tp++;
            else fp++;
        }
        if (tp == 0) Assert.True(fp <= maxFalseWithoutPositives, $"{itemId}: {fp} false passes and no true one");
        else Assert.True((double)tp / (tp + fp) >= minPrecision, $"{itemId}: precision {(double)tp / (tp + fp):0.000} (tp {tp}, fp {fp}) is below {minPrecision}");
    }

    // attitude.forbidden after its relabel (docs/labelling.md, round 4): most positives are a bare refusal as the whole
    // answer, which the shipped rubric sends to a monitor (whole_answer, review) instead of deducting. Floors just under
    // README's test figures: the share of positives found at all (decided or review) and the share of reviewed lines that
    // are positive (the monitor's wasted reviews).
    [Fact]
    public void Bare_refusals_reach_a_monitor_most_forbidden_lines_are_found_and_most_reviews_are_worth_it()
    {
        var labelled = Load("jddc-zh-CN.tsv");
        var item = Rubric(labelled).Items.Single(i => i.Id == "attitude.forbidden");
        int found = 0, positives = 0, reviewed = 0, reviewedPositive = 0;
        foreach (var line in labelled.Lines.Where(l => l.Part == LabelledPart.Test))
        {
            var d = Scorer.DetectInLine(item, SpeechText.Parse(line.Text));
            var gold = line.Gold.Contains(item.Id);
            if (gold) positives++;
            if (gold && d is not null) found++;
            if (d is { Review: true }) { reviewed++; if (gold) reviewedPositive++; }
        }
        Assert.True(positives >= 20, $"{positives} forbidden positives on the test part");
        Assert.True((double)found / positives >= 0.62, $"forbidden found on {found} of {positives} positive test lines");
        Assert.True(reviewed > 0 && (double)reviewedPositive / reviewed >= 0.78, $"{reviewedPositive} of {reviewed} reviewed lines positive");
    }

    [Fact]
    public void Every_labelled_line_joins_with_the_corpus_and_the_split_is_half_and_half()
    {
        var set = Load("jddc-zh-CN.tsv");
        Assert.True(set.Lines.Count >= 2000, $"{set.Lines.Count} labelled lines");
        Assert.All(set.Lines, l => Assert.Equal(l.Fingerprint, LineFingerprint.Of(l.Text)));
        var test = set.Lines.Count(l => l.Part == LabelledPart.Test);
        Assert.InRange(test, set.Lines.Count * 0.45, set.Lines.Count * 0.55);
        Assert.All(set.Lines, l => Assert.NotNull(l.PassA));
    }

    [Fact]
    public void Bench_rules_prints_per_item_figures_clean_and_noisy_with_the_labelling_kappa()
    {
        var r = QaProcess.Run("bench", "rules", "--labels", "bench/labels/jddc-zh-CN.tsv");
        Assert.Equal(0, r.ExitCode);
        var set = JsonNode.Parse(r.Stdout)!["sets"]![0]!;
        Assert.Equal("test", JsonNode.Parse(r.Stdout)!["part"]!.GetValue<string>());
        var verify = set["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "handling.verify")!;
        Assert.InRange(verify["kappa"]!.GetValue<double>(), 0.85, 1.0);
        foreach (var part in new[] { "clean", "noisy" })
        {
            var c = verify[part]!;
            Assert.Equal(c["support"]!.GetValue<int>(), c["tp"]!.GetValue<int>() + c["fn"]!.GetValue<int>());
            Assert.InRange(c["f1"]!.GetValue<double>(), 0.5, 1.0);
        }
        Assert.Contains("handling.verify", r.Stderr);
        // The rule checked by the shipped second opinion: figures on the lines it decided, and the share sent to review.
        Assert.Equal("zh-CN.v1", set["opinion_version"]!.GetValue<string>());
        var combined = verify["with_opinion"]!;
        Assert.Equal("zh-CN.v1", combined["opinion_version"]!.GetValue<string>());
        foreach (var part in new[] { "clean", "noisy" })
        {
            var decided = combined[part]!;
            var review = combined[part + "_review"]!;
            var all = verify[part]!;
            // Every line is decided or reviewed, by the rule's review phrases alone or with the opinion's check on top.
            Assert.Equal(all["tp"]!.GetValue<int>() + all["fp"]!.GetValue<int>() + all["fn"]!.GetValue<int>() + all["tn"]!.GetValue<int>()
                + all["review"]!.GetValue<int>(),
                decided["tp"]!.GetValue<int>() + decided["fp"]!.GetValue<int>() + decided["fn"]!.GetValue<int>() + decided["tn"]!.GetValue<int>()
                + review["reviewed"]!.GetValue<int>());
            Assert.InRange(review["reviewed_where_rule_wrong"]!.GetValue<int>(), 0, review["reviewed"]!.GetValue<int>());
            Assert.InRange(review["reviewed"]!.GetValue<int>(), all["review"]!.GetValue<int>(), int.MaxValue);
        }
    }

    [Fact]
    public void The_shipped_rubric_loads_its_versioned_opinion_model_which_rates_labelled_real_lines()
    {
        var rubric = QaPipeline.Cli.Commands.CliFiles.Rubric(new FileInfo(Path.Combine(RepositoryPaths.Root, "scoring-rules", "zh-CN.yaml")));
        var opinion = Assert.IsType<QaPipeline.Scoring.Matching.LineOpinion>(rubric.Opinion);
        Assert.Equal("zh-CN.v1", opinion.Version);
        Assert.Contains("handling.verify", opinion.ItemIds);
        Assert.True(opinion.ReviewBelow < opinion.ReviewAbove);
        // On the dev lines it was trained on, the model separates the item's positives from its negatives.
        var dev = Load("jddc-zh-CN.tsv").Lines.Where(l => l.Part == LabelledPart.Dev).ToList();
        double Mean(bool positive) => dev.Where(l => l.Gold.Contains("handling.verify") == positive)
            .Average(l => opinion.Probability("handling.verify", SpeechText.Parse(l.Text))!.Value);
        Assert.True(Mean(true) > 0.5 && Mean(false) < 0.2, $"positives {Mean(true):0.00}, negatives {Mean(false):0.00}");
    }

    [Fact]
    public void A_rubric_away_from_its_opinion_model_scores_with_the_phrase_rules_alone_and_validate_says_so()
    {
        var dir = Directory.CreateTempSubdirectory("qa-opinion").FullName;
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "scoring-rules", "zh-CN.yaml"));
        File.WriteAllText(Path.Combine(dir, "zh-CN.yaml"), yaml);
        var alone = QaProcess.Run("rules", "validate", Path.Combine(dir, "zh-CN.yaml"));
        Assert.Equal(0, alone.ExitCode);
        Assert.Contains("second opinion opinions/zh-CN.v1.json not found beside it (phrase rules alone)", alone.Stdout);
        // With the model beside it, the copy loads it and reports its version.
        Directory.CreateDirectory(Path.Combine(dir, "opinions"));
        var model = Path.Combine(dir, "opinions", "zh-CN.v1.json");
        File.Copy(Path.Combine(RepositoryPaths.Root, "scoring-rules", "opinions", "zh-CN.v1.json"), model);
        var ok = QaProcess.Run("rules", "validate", Path.Combine(dir, "zh-CN.yaml"));
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("second opinion zh-CN.v1", ok.Stdout);
        // A model file that is there but broken is a one-line error naming it.
        File.WriteAllText(model, "{ broken");
        var broken = QaProcess.Run("rules", "validate", Path.Combine(dir, "zh-CN.yaml"));
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("zh-CN.v1.json", broken.Stderr);
        Assert.Single(broken.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Bench_rules_without_the_corpus_is_a_one_line_error_not_a_skip()
    {
        var empty = Directory.CreateTempSubdirectory("qa-no-shared").FullName;
        var r = QaProcess.Run("bench", "rules", "--labels", "bench/labels/jddc-zh-CN.tsv", "--shared", empty);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("corpus not found", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Bench_rules_will_not_show_test_lines_while_tuning()
    {
        var r = QaProcess.Run("bench", "rules", "--errors", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("development part only", r.Stderr);
    }
}
