using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QaPipeline.Calibration.Agreement;
using QaPipeline.Centre.Exports;
using QaPipeline.Cli.Commands;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench rules</c>: how well each phrase item's detector agrees with careful human labels on real agent
/// lines — precision, recall, F1, support and the confusion counts per item, on the test part of each
/// labelled set, clean and through seeded ASR noise, beside the two labelling passes' Cohen's kappa.
/// Table on stderr, JSON on stdout.
/// </summary>
public static class RulesBenchCommand
{
    private static readonly string[] DefaultSets = ["bench/labels/jddc-zh-CN.tsv", "bench/labels/en-US.tsv"];

    public static Command Create()
    {
        var labelsOpt = new Option<FileInfo[]>("--labels") { Description = "Labelled set(s) (default: the zh-CN JDDC set and the en-US set)", AllowMultipleArgumentsPerToken = true };
        var partOpt = new Option<string>("--part") { Description = "test (report) or dev (tune)", DefaultValueFactory = _ => "test" };
        partOpt.AcceptOnlyFromAmong("test", "dev");
        var seedOpt = new Option<int>("--seed") { Description = "Seed of the ASR-noise generator", DefaultValueFactory = _ => 9 };
        var errorsOpt = new Option<int>("--errors") { Description = "Print up to N misses and false hits per item with their text (dev part only)", DefaultValueFactory = _ => 0 };
        var ratingsOpt = new Option<DirectoryInfo?>("--ratings-out") { Description = "Write each item's two labelling passes as unit,rater,value CSV (input of qa calibration stats)" };
        var sharedOpt = new Option<DirectoryInfo?>("--shared") { Description = "Shared data folder holding corpora/ (default: ../shared)" };
        var grepOpt = new Option<string?>("--grep") { Description = "Print the dev lines matching this regular expression with their gold labels (dev part only; for tuning)" };
        var cmd = new Command("rules", "Per-item precision/recall/F1 of the phrase detectors on labelled real agent lines, clean and with ASR noise")
            { labelsOpt, partOpt, seedOpt, errorsOpt, ratingsOpt, sharedOpt, grepOpt };
        cmd.SetAction(p =>
        {
            var part = p.GetValue(partOpt) == "dev" ? LabelledPart.Dev : LabelledPart.Test;
            var errors = p.GetValue(errorsOpt);
            if (errors > 0 && part == LabelledPart.Test)
                throw new UserInputException("--errors shows lines of the development part only (--part dev): the test part stays unseen while tuning");
            if (p.GetValue(grepOpt) is { } grep)
            {
                if (part == LabelledPart.Test) throw new UserInputException("--grep shows lines of the development part only (--part dev)");
                var regex = new System.Text.RegularExpressions.Regex(grep);
                foreach (var f in p.GetValue(labelsOpt) is { Length: > 0 } g ? g : DefaultSets.Select(f => new FileInfo(f)).ToArray())
                    foreach (var l in LoadSet(f, p.GetValue(sharedOpt)).Lines.Where(l => l.Part == LabelledPart.Dev && regex.IsMatch(l.Text)))
                        Console.Error.WriteLine($"{string.Join(',', l.Gold.Order()),-40} {l.Text}");
                return 0;
            }
            var files = p.GetValue(labelsOpt) is { Length: > 0 } given ? given : DefaultSets.Select(f => new FileInfo(f)).ToArray();
            var seed = p.GetValue(seedOpt);
            var shared = p.GetValue(sharedOpt);
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("benchmark", "rules");
                w.WriteString("part", part.ToString().ToLowerInvariant());
                w.WriteNumber("noise_seed", seed);
                w.WriteStartArray("sets");
                foreach (var file in files)
                    Measure(w, file, part, seed, errors, shared, p.GetValue(ratingsOpt));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return 0;
        });
        return cmd;
    }

    /// <summary>Confusion counts over the lines the detector decided; <see cref="Reviewed"/> lines were found only by a
    /// review phrase (sent to a human, not decided), <see cref="ReviewedPositive"/> of them positive by the gold labels.</summary>
    public sealed record Confusion(int Tp, int Fp, int Fn, int Tn, int Reviewed = 0, int ReviewedPositive = 0)
    {
        public int Lines => Tp + Fp + Fn + Tn + Reviewed;
        public double ReviewShare => Lines == 0 ? 0 : (double)Reviewed / Lines;
        public int Support => Tp + Fn;
        public double? Precision => Tp + Fp == 0 ? null : (double)Tp / (Tp + Fp);
        public double? Recall => Tp + Fn == 0 ? null : (double)Tp / (Tp + Fn);
        public double? F1 => Precision is { } pr && Recall is { } rc ? (pr + rc == 0 ? 0 : 2 * pr * rc / (pr + rc)) : null;
    }

    private static void Measure(Utf8JsonWriter w, FileInfo file, LabelledPart part, int seed, int errors, DirectoryInfo? shared, DirectoryInfo? ratingsOut)
    {
        var set = LoadSet(file, shared);
        var rubric = CliFiles.Rubric(new FileInfo(set.Rubric));
        var items = set.Items.Select(id => rubric.Items.FirstOrDefault(i => i.Id == id)
            ?? throw new UserInputException($"{file}: item '{id}' is not in {set.Rubric}")).ToList();
        var lines = set.Lines.Where(l => l.Part == part).ToList();
        var noise = new AsrNoise(CorpusVocabulary(set, shared));
        var rng = new Random(seed);
        var clean = lines.Select(l => SpeechText.Parse(l.Text)).ToList();
        var noisyText = lines.Select(l => noise.Apply(l.Text, rng)).ToList();
        var noisy = noisyText.Select(SpeechText.Parse).ToList();

        Console.Error.WriteLine($"bench rules: {file} — rubric {rubric.Id} {rubric.Version}{(rubric.Opinion is { } o ? $" + opinion {o.Version}" : "")}, {set.Lines.Count} labelled lines, " +
                                $"{part.ToString().ToLowerInvariant()} part {lines.Count} lines, noise seed {seed}");
        Console.Error.WriteLine($"{"item",-26} {"kappa",6} | {"supp",5} {"P",6} {"R",6} {"F1",6}  tp/fp/fn       | noisy {"P",6} {"R",6} {"F1",6}  tp/fp/fn" +
                                "   (P/R/F1 over decided lines; review = found only by a review phrase, to a monitor)");

        w.WriteStartObject();
        w.WriteString("labels", file.ToString());
        w.WriteString("rubric", set.Rubric);
        w.WriteString("rubric_version", rubric.Version);
        if (rubric.Opinion is { } model) w.WriteString("opinion_version", model.Version);
        w.WriteNumber("labelled_lines", set.Lines.Count);
        w.WriteNumber("part_lines", lines.Count);
        w.WriteNumber("double_labelled_lines", set.Lines.Count(l => l.PassA is not null && l.PassB is not null));
        w.WriteStartArray("items");
        foreach (var item in items)
        {
            var kappa = Kappa(set, item.Id, ratingsOut, file);
            var c = Count(item, lines, clean, out var cleanErrors);
            var nz = Count(item, lines, noisy, out var noisyErrors);
            var reviewNote = c.Reviewed + nz.Reviewed == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                $"   review {c.Reviewed}={c.ReviewShare:P1} ({c.ReviewedPositive} pos) | noisy {nz.Reviewed}={nz.ReviewShare:P1} ({nz.ReviewedPositive} pos)");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{item.Id,-26} {Fmt(kappa),6} | {c.Support,5} {Fmt(c.Precision),6} {Fmt(c.Recall),6} {Fmt(c.F1),6}  {$"{c.Tp}/{c.Fp}/{c.Fn}",-14} | noisy {Fmt(nz.Precision),6} {Fmt(nz.Recall),6} {Fmt(nz.F1),6}  {nz.Tp}/{nz.Fp}/{nz.Fn}{reviewNote}"));
            if (errors > 0)
            {
                foreach (var (i, hit) in cleanErrors.Take(errors))
                    Console.Error.WriteLine($"    {(hit is null ? "MISS" : "FALSE")} {lines[i].Fingerprint} {lines[i].Text}{(hit is null ? "" : $"  ⇐ '{hit.Words}' ({hit.Phrase})")}");
                foreach (var (i, hit) in noisyErrors.Where(e => !cleanErrors.Any(x => x.Index == e.Index)).Take(errors))
                    Console.Error.WriteLine($"    NOISY-{(hit is null ? "MISS" : "FALSE")} {noisyText[i]}{(hit is null ? "" : $"  ⇐ '{hit.Words}' ({hit.Phrase})")}");
            }
            w.WriteStartObject();
            w.WriteString("id", item.Id);
            Number(w, "kappa", kappa);
            WriteConfusion(w, "clean", c);
            WriteConfusion(w, "noisy", nz);
            if (rubric.Opinion is { } opinion && opinion.Covers(item.Id))
            {
                // The combined detector is the phrase rule with the learned opinion as a check: lines where they
                // confidently disagree go to review and are not counted as decided. Precision/recall here are over
                // the decided lines only; the review share is the price. This does not raise the rule's own F1.
                var cc = Combine(item, opinion, lines, clean);
                var cn = Combine(item, opinion, lines, noisy);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"  + opinion " + opinion.Version,-26} {"",6} | {cc.Decided.Support,5} {Fmt(cc.Decided.Precision),6} {Fmt(cc.Decided.Recall),6} {Fmt(cc.Decided.F1),6}  review {cc.Reviewed}={cc.ReviewShare:P1} ({cc.ReviewedRuleWrong} rule errors)" +
                    $" | noisy {Fmt(cn.Decided.Precision),6} {Fmt(cn.Decided.Recall),6} {Fmt(cn.Decided.F1),6}  review {cn.Reviewed}={cn.ReviewShare:P1} ({cn.ReviewedRuleWrong})"));
                w.WriteStartObject("with_opinion");
                w.WriteString("opinion_version", opinion.Version);
                WriteCombined(w, "clean", cc);
                WriteCombined(w, "noisy", cn);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static LabelledSet LoadSet(FileInfo file, DirectoryInfo? shared)
    {
        var text = System.Text.Encoding.UTF8.GetString(CliFiles.Read(file, "labels"));
        try
        {
            return LabelledSet.Parse(text, file.ToString(), corpus => ReadCorpus(corpus, shared));
        }
        catch (FormatException e)
        {
            throw new UserInputException(e.Message);
        }
    }

    private static IReadOnlyList<string> ReadCorpus(string corpus, DirectoryInfo? shared)
    {
        var path = Path.Combine(shared?.FullName ?? CliFiles.SharedFolder(), corpus);
        if (!File.Exists(path))
            throw new UserInputException($"corpus not found: {path} (the labelled set joins its labels with this file at run time; pass --shared DIR)");
        return File.ReadAllLines(path);
    }

    /// <summary>Homophones are drawn from the characters the whole corpus uses, so that a substitute is a word a
    /// recogniser would write.</summary>
    internal static IEnumerable<string> CorpusVocabulary(LabelledSet set, DirectoryInfo? shared) =>
        set.Corpus is { } corpus ? ReadCorpus(corpus, shared) : set.Lines.Select(l => l.Text);

    private static Confusion Count(Scoring.Rubrics.RubricItem item, List<LabelledLine> lines, List<SpeechText> texts,
        out List<(int Index, LineDetection? Hit)> mistakes)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0, reviewed = 0, reviewedPositive = 0;
        mistakes = [];
        for (var i = 0; i < lines.Count; i++)
        {
            var hit = Scorer.DetectInLine(item, texts[i]);
            var gold = lines[i].Gold.Contains(item.Id);
            if (hit is { Review: true })
            {
                reviewed++;
                if (gold) reviewedPositive++;
                continue;
            }
            if (hit is not null && gold) tp++;
            else if (hit is not null) { fp++; mistakes.Add((i, hit)); }
            else if (gold) { fn++; mistakes.Add((i, null)); }
            else tn++;
        }
        return new Confusion(tp, fp, fn, tn, reviewed, reviewedPositive);
    }

    /// <summary>The phrase rule checked by the opinion on each line: a confident contradiction is a review, the
    /// rest are decided by the rule.</summary>
    public sealed record Combined(Confusion Decided, int Reviewed, int ReviewedRuleWrong, int Lines)
    {
        public double ReviewShare => Lines == 0 ? 0 : (double)Reviewed / Lines;
    }

    private static Combined Combine(Scoring.Rubrics.RubricItem item, LineOpinion opinion, List<LabelledLine> lines, List<SpeechText> texts)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0, reviewed = 0, ruleWrong = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var detection = Scorer.DetectInLine(item, texts[i]);
            var hit = detection is not null;
            var gold = lines[i].Gold.Contains(item.Id);
            var p = opinion.Probability(item.Id, texts[i])!.Value;
            if (detection is { Review: true } || (hit && p < opinion.ReviewBelow) || (!hit && p > opinion.ReviewAbove))
            {
                reviewed++;
                if (hit != gold) ruleWrong++;
                continue;
            }
            if (hit && gold) tp++;
            else if (hit) fp++;
            else if (gold) fn++;
            else tn++;
        }
        return new Combined(new Confusion(tp, fp, fn, tn), reviewed, ruleWrong, lines.Count);
    }

    private static void WriteCombined(Utf8JsonWriter w, string name, Combined c)
    {
        WriteConfusion(w, name, c.Decided);
        w.WriteStartObject(name + "_review");
        w.WriteNumber("reviewed", c.Reviewed);
        Number(w, "review_share", c.ReviewShare);
        w.WriteNumber("reviewed_where_rule_wrong", c.ReviewedRuleWrong);
        w.WriteEndObject();
    }

    /// <summary>Cohen's kappa of the two labelling passes for one item, by the same code as
    /// <c>qa calibration stats</c> (nominal level; unit = line fingerprint, value 1/0).</summary>
    private static double? Kappa(LabelledSet set, string itemId, DirectoryInfo? ratingsOut, FileInfo file)
    {
        var both = set.Lines.Where(l => l.PassA is not null && l.PassB is not null).ToList();
        if (both.Count == 0) return null;
        var ratings = both.SelectMany(l => new[]
        {
            new Rating(l.Fingerprint, "a", l.PassA!.Contains(itemId) ? "1" : "0"),
            new Rating(l.Fingerprint, "b", l.PassB!.Contains(itemId) ? "1" : "0"),
        }).ToList();
        if (ratingsOut is not null)
        {
            Directory.CreateDirectory(ratingsOut.FullName);
            using var csv = File.Create(Path.Combine(ratingsOut.FullName, $"{Path.GetFileNameWithoutExtension(file.Name)}.{itemId}.csv"));
            TableExport.Write(csv, ExportFormat.Csv, ["unit", "rater", "value"],
                ratings.Select(r => new object?[] { r.Unit, r.Rater, r.Value }).ToAsyncEnumerable()).GetAwaiter().GetResult();
        }
        return AgreementSummary.Of(RatingTable.FromRatings(ratings), MeasurementLevel.Nominal).Cohen?.Kappa;
    }

    private static void WriteConfusion(Utf8JsonWriter w, string name, Confusion c)
    {
        w.WriteStartObject(name);
        w.WriteNumber("support", c.Support);
        Number(w, "precision", c.Precision);
        Number(w, "recall", c.Recall);
        Number(w, "f1", c.F1);
        w.WriteNumber("tp", c.Tp);
        w.WriteNumber("fp", c.Fp);
        w.WriteNumber("fn", c.Fn);
        w.WriteNumber("tn", c.Tn);
        // Lines found only by a review phrase: not decided, sent to a monitor (0 for items without review phrases).
        w.WriteNumber("review", c.Reviewed);
        Number(w, "review_share", c.ReviewShare);
        w.WriteNumber("review_positive", c.ReviewedPositive);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x && double.IsFinite(x)) w.WriteNumber(name, Math.Round(x, 4));
        else w.WriteNull(name);
    }

    private static string Fmt(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
}
