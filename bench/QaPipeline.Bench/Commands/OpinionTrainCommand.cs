using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QaPipeline.Cli.Commands;
using QaPipeline.Learning.Opinions;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa labels train</c>: trains the learned second opinion per phrase item on the DEVELOPMENT part of a labelled
/// set (never the test part, which <c>qa bench rules</c> reports on), each line once clean and once through seeded
/// ASR noise, and writes it as a versioned model file beside the rubric. Before the final fit it cross-validates on
/// the development part and prints, per item, how often a confident disagreement with the phrase rule was right —
/// the figures that justify the review thresholds.
/// </summary>
public static class OpinionTrainCommand
{
    public static Command Create()
    {
        var labelsOpt = new Option<FileInfo>("--labels") { Description = "Labelled set to train on (its dev part only)", DefaultValueFactory = _ => new FileInfo("bench/labels/jddc-zh-CN.tsv") };
        var outOpt = new Option<FileInfo>("--out") { Description = "Model file to write (e.g. scoring-rules/opinions/zh-CN.v1.json)", Required = true };
        var versionOpt = new Option<string>("--version") { Description = "Model version written into the file and every review reason (e.g. zh-CN.v1)", Required = true };
        var minOpt = new Option<int>("--min-positives") { Description = "Train only items with at least this many positive dev lines", DefaultValueFactory = _ => 20 };
        var bucketsOpt = new Option<int>("--buckets") { Description = "Hash buckets for the n-gram features", DefaultValueFactory = _ => 1 << 15 };
        var belowOpt = new Option<double>("--review-below") { Description = "Phrase rule fires but the model rates the line below this: review", DefaultValueFactory = _ => 0.02 };
        var aboveOpt = new Option<double>("--review-above") { Description = "Phrase rule silent but the model rates the line above this: review", DefaultValueFactory = _ => 0.9 };
        var seedOpt = new Option<int>("--seed") { Description = "Seed of the ASR-noise copies and of the trainer", DefaultValueFactory = _ => 9 };
        var foldsOpt = new Option<int>("--folds") { Description = "Cross-validation folds on the dev part for the printed check (0 = none)", DefaultValueFactory = _ => 5 };
        var sharedOpt = new Option<DirectoryInfo?>("--shared") { Description = "Shared data folder holding corpora/ (default: ../shared)" };
        var l1Opt = new Option<float>("--l1") { Description = "L1 regularisation of the SDCA logistic regression", DefaultValueFactory = _ => LineOpinionTrainer.DefaultL1 };
        var l2Opt = new Option<float>("--l2") { Description = "L2 regularisation of the SDCA logistic regression", DefaultValueFactory = _ => LineOpinionTrainer.DefaultL2 };
        var cmd = new Command("train", "Train the per-item second-opinion model on the dev part of a labelled set and write it beside the rubric")
            { labelsOpt, outOpt, versionOpt, minOpt, bucketsOpt, belowOpt, aboveOpt, seedOpt, foldsOpt, sharedOpt, l1Opt, l2Opt };
        cmd.SetAction(p =>
        {
            var below = p.GetValue(belowOpt);
            var above = p.GetValue(aboveOpt);
            if (!(below >= 0 && below < above && above <= 1)) throw new UserInputException("--review-below must be below --review-above, both within 0..1");
            var buckets = p.GetValue(bucketsOpt);
            if (buckets is < 16 or > 1 << 24) throw new UserInputException("--buckets must be between 16 and 16777216");
            var version = p.GetValue(versionOpt)!;
            if (version.Length == 0 || version.Any(char.IsWhiteSpace)) throw new UserInputException("--version must be one word such as zh-CN.v1");
            var file = p.GetValue(labelsOpt)!;
            var seed = p.GetValue(seedOpt);
            var set = RulesBenchCommand.LoadSet(file, p.GetValue(sharedOpt));
            var rubric = CliFiles.Rubric(new FileInfo(set.Rubric));
            var dev = set.Lines.Where(l => l.Part == LabelledPart.Dev).OrderBy(l => l.Fingerprint, StringComparer.Ordinal).ToList();
            var noise = new AsrNoise(RulesBenchCommand.CorpusVocabulary(set, p.GetValue(sharedOpt)));
            var rng = new Random(seed);
            // Each dev line twice: as written and as a recogniser might write it; both copies stay in one fold.
            var clean = dev.Select(l => SpeechText.Parse(l.Text)).ToList();
            var cleanFeatures = clean.Select(t => LineOpinion.Features(t, buckets)).ToList();
            var noisyFeatures = dev.Select(l => LineOpinion.Features(SpeechText.Parse(noise.Apply(l.Text, rng)), buckets)).ToList();
            var minPositives = p.GetValue(minOpt);
            var items = set.Items.Where(id => dev.Count(l => l.Gold.Contains(id)) >= minPositives).ToList();
            if (items.Count == 0) throw new UserInputException($"no item has {minPositives} positive dev lines to train on");
            var folds = p.GetValue(foldsOpt);
            var (l1, l2) = (p.GetValue(l1Opt), p.GetValue(l2Opt));
            if (l1 < 0 || l2 < 0) throw new UserInputException("--l1 and --l2 must not be negative");

            Console.Error.WriteLine($"labels train: {file} dev part {dev.Count} lines (+{dev.Count} noisy copies, seed {seed}), {buckets} buckets, " +
                                    $"review below {below} / above {above}; {items.Count} items with >= {minPositives} positives");
            if (folds > 1)
                Console.Error.WriteLine($"{"item",-26} {"pos",4} | {folds}-fold on dev, out-of-fold: lines flagged for review where the model was right / wrong (the rule right)");
            var trained = new Dictionary<string, (LineOpinionTrainer.Trained Model, int Positives)>();
            foreach (var id in items)
            {
                var gold = dev.Select(l => l.Gold.Contains(id)).ToList();
                var item = rubric.Items.First(i => i.Id == id);
                if (folds > 1) CrossValidate(id, item, clean, cleanFeatures, noisyFeatures, gold, buckets, folds, below, above, seed, l1, l2);
                var model = LineOpinionTrainer.TrainItem([.. cleanFeatures, .. noisyFeatures], [.. gold, .. gold], buckets, seed, l1, l2);
                trained[id] = (model, gold.Count(g => g));
                Console.Error.WriteLine($"  {id}: {model.Weights.Count(w => w != 0)} non-zero weights, export gap {model.MaxProbabilityGap:0.0e0}");
            }

            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(
                dev.Select(l => $"{l.Fingerprint}\t{string.Join(',', items.Where(l.Gold.Contains))}\n")))))[..16];
            Write(p.GetValue(outOpt)!, version, rubric, set, file, dev.Count, seed, buckets, below, above, fingerprint, trained, l1, l2);
            Console.Error.WriteLine($"labels train: wrote {p.GetValue(outOpt)} ({version}, training fingerprint {fingerprint})");
            return 0;
        });
        return cmd;
    }

    /// <summary>Out-of-fold predictions on the clean dev lines: where the model confidently contradicts the phrase
    /// rule, was the model right (by the gold label)? Printed, not stored: it is the evidence for the thresholds.</summary>
    private static void CrossValidate(string id, Scoring.Rubrics.RubricItem item, List<SpeechText> clean, List<int[]> cleanF, List<int[]> noisyF,
        List<bool> gold, int buckets, int folds, double below, double above, int seed, float l1, float l2)
    {
        var outOfFold = new List<(double P, bool Rule, bool Gold)>();
        for (var k = 0; k < folds; k++)
        {
            var train = Enumerable.Range(0, clean.Count).Where(i => i % folds != k).ToList();
            var heldOut = Enumerable.Range(0, clean.Count).Where(i => i % folds == k).ToList();
            var labels = train.Select(i => gold[i]).ToList();
            if (!labels.Contains(true)) continue;
            var model = LineOpinionTrainer.TrainItem([.. train.Select(i => cleanF[i]), .. train.Select(i => noisyF[i])], [.. labels, .. labels], buckets, seed, l1, l2);
            foreach (var i in heldOut)
            {
                var z = model.Bias + cleanF[i].Sum(f => (double)model.Weights[f]);
                outOfFold.Add((1 / (1 + Math.Exp(-z)), Scorer.DetectInLine(item, clean[i]) is not null, gold[i]));
            }
        }
        string Side(Func<(double P, bool Rule, bool Gold), bool> flagged)
        {
            var f = outOfFold.Where(flagged).ToList();
            return $"{f.Count(x => x.Rule != x.Gold)}/{f.Count(x => x.Rule == x.Gold)}";
        }
        // right/wrong = the flagged lines where the model was right (the rule was wrong) / where the rule was right.
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{id,-26} {gold.Count(g => g),4} | rule+ model<{below}: {Side(x => x.Rule && x.P < below),-7} (<0.02: {Side(x => x.Rule && x.P < 0.02),-7})" +
            $" | rule- model>{above}: {Side(x => !x.Rule && x.P > above),-7} (>0.7: {Side(x => !x.Rule && x.P > 0.7),-7} >0.5: {Side(x => !x.Rule && x.P > 0.5),-7})" +
            $" | rule errors {outOfFold.Count(x => x.Rule != x.Gold)}"));
    }

    private static void Write(FileInfo output, string version, Scoring.Rubrics.Rubric rubric, LabelledSet set, FileInfo labels, int devLines, int seed,
        int buckets, double below, double above, string fingerprint, Dictionary<string, (LineOpinionTrainer.Trained Model, int Positives)> trained, float l1, float l2)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", LineOpinion.Format);
            w.WriteString("version", version);
            w.WriteString("language", rubric.Language);
            w.WriteString("rubric", $"{set.Rubric} ({rubric.Id} {rubric.Version})");
            w.WriteStartObject("features");
            w.WriteString("units", "SpeechText non-filler units: simplified characters and digits (Latin words unused)");
            w.WriteString("ngrams", "characters 1..3 as 'c:'+chars, toneless pinyin 1..3 as 's:'+syllables joined by '-'");
            w.WriteString("hash", "FNV-1a 32-bit over UTF-8, modulo buckets; binary presence");
            w.WriteNumber("buckets", buckets);
            w.WriteEndObject();
            w.WriteString("trainer", $"ML.NET SdcaLogisticRegression (L1 {l1.ToString(CultureInfo.InvariantCulture)}, L2 {l2.ToString(CultureInfo.InvariantCulture)}), Platt calibration folded into bias and weights");
            w.WriteStartObject("training");
            w.WriteString("labels", labels.ToString());
            w.WriteString("part", "dev");
            w.WriteNumber("lines", devLines);
            w.WriteString("augmentation", $"each line also once through AsrNoise, seed {seed}");
            w.WriteString("fingerprint", fingerprint);
            w.WriteString("command", string.Create(CultureInfo.InvariantCulture,
                $"./qa labels train --labels {labels} --version {version} --l1 {l1} --l2 {l2} --buckets {buckets} --review-below {below} --review-above {above} --seed {seed} --out <this file>"));
            w.WriteEndObject();
            w.WriteNumber("review_below", below);
            w.WriteNumber("review_above", above);
            w.WriteStartObject("items");
            foreach (var (id, (model, positives)) in trained)
            {
                w.WriteStartObject(id);
                w.WriteNumber("positives", positives);
                w.WriteNumber("bias", Math.Round(model.Bias, 5));
                var nonZero = Enumerable.Range(0, buckets).Where(i => model.Weights[i] != 0).ToList();
                w.WriteStartArray("index");
                foreach (var i in nonZero) w.WriteNumberValue(i);
                w.WriteEndArray();
                w.WriteStartArray("weight");
                foreach (var i in nonZero) w.WriteNumberValue(Math.Round(model.Weights[i], 4));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        Directory.CreateDirectory(output.DirectoryName ?? ".");
        File.WriteAllBytes(output.FullName, buffer.ToArray());
    }
}
