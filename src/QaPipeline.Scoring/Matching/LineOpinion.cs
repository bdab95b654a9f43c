using System.Globalization;
using System.Text;
using QaPipeline.Scoring.Contracts;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Matching;

/// <summary>
/// A learned second opinion per phrase item: a logistic model over hashed character and pinyin n-grams of one
/// line, trained on labelled agent lines (<c>qa labels train</c>) and shipped as a versioned JSON file beside the
/// rubric (scoring-rules/opinions/). It never decides an item on its own: where it confidently contradicts the
/// phrase rule, the item goes to a human (<see cref="Scorecards.Verdict.Review"/>) with both views in the reason.
/// Evaluated here with a dot product — no ML library and no I/O at scoring time; a loader outside the core reads
/// the file and attaches the parsed model to the rubric (<see cref="Rubrics.Rubric.Opinion"/>).
///
/// Features (the file's <c>features</c> spec, fixed by <see cref="Format"/>): the line's non-filler speech units
/// (<see cref="SpeechText"/>: simplified characters and digits; Latin words are not used), every run of 1..3
/// consecutive characters ("c:" + the characters) and of 1..3 toneless pinyin syllables ("s:" + syllables joined
/// by '-', a digit standing for itself) — the pinyin n-grams carry the model over homophones the recogniser
/// writes. Each n-gram is hashed (FNV-1a 32 over its UTF-8) into <c>buckets</c>; a bucket is 1 if any n-gram
/// falls in it. Probability = 1 / (1 + e^-(bias + Σ weight[bucket])).
/// </summary>
public sealed class LineOpinion
{
    /// <summary>The feature scheme this code computes; a file written for another scheme is refused.</summary>
    public const string Format = "qa-line-opinion/char+pinyin-ngram-1-3/fnv1a32";

    private readonly Dictionary<string, ItemWeights> _items;

    private LineOpinion(string version, string language, int buckets, double reviewBelow, double reviewAbove,
        string trainedOn, Dictionary<string, ItemWeights> items)
    {
        Version = version;
        Language = language;
        Buckets = buckets;
        ReviewBelow = reviewBelow;
        ReviewAbove = reviewAbove;
        TrainedOn = trainedOn;
        _items = items;
    }

    /// <summary>The model's version as named in the file (e.g. zh-CN.v1): reported in every reason it gives.</summary>
    public string Version { get; }

    public string Language { get; }

    public int Buckets { get; }

    /// <summary>A line the phrase rule matched but the opinion rates below this is a confident disagreement.</summary>
    public double ReviewBelow { get; }

    /// <summary>A line the phrase rule did not match but the opinion rates above this is a confident disagreement.</summary>
    public double ReviewAbove { get; }

    /// <summary>Fingerprint of the labels the model was trained on (which lines, which labels).</summary>
    public string TrainedOn { get; }

    public IReadOnlyCollection<string> ItemIds => _items.Keys;

    public bool Covers(string itemId) => _items.ContainsKey(itemId);

    /// <summary>Probability (0..1) that the line shows the item; null when the model has no opinion on the item.</summary>
    public double? Probability(string itemId, SpeechText text) =>
        _items.TryGetValue(itemId, out var w) ? w.Probability(Features(text, Buckets)) : null;

    /// <summary>Probability from precomputed <see cref="Features"/>, for callers that ask about many items.</summary>
    public double? Probability(string itemId, IReadOnlyList<int> features) =>
        _items.TryGetValue(itemId, out var w) ? w.Probability(features) : null;

    /// <summary>The distinct feature buckets of a line (see the class summary).</summary>
    public static int[] Features(SpeechText text, int buckets)
    {
        var units = new List<(int Key, int Sound)>(text.Length);
        for (var i = 0; i < text.Length; i++)
            if (!text.Filler[i] && text.Keys[i] < WordUnit) units.Add((text.Keys[i], text.Sounds[i]));
        var set = new HashSet<int>();
        Span<byte> utf8 = stackalloc byte[4];
        for (var start = 0; start < units.Count; start++)
        {
            uint chars = FnvOffset, sounds = FnvOffset;
            chars = Mix(chars, "c:"u8);
            sounds = Mix(sounds, "s:"u8);
            for (var n = 0; n < 3 && start + n < units.Count; n++)
            {
                var (key, sound) = units[start + n];
                chars = Mix(chars, utf8[..new Rune(key).EncodeToUtf8(utf8)]);
                if (n > 0) sounds = Mix(sounds, "-"u8);
                sounds = key is >= '0' and <= '9' ? Mix(sounds, utf8[..new Rune(key).EncodeToUtf8(utf8)]) : Mix(sounds, SyllableUtf8(sound));
                set.Add((int)(chars % (uint)buckets));
                set.Add((int)(sounds % (uint)buckets));
            }
        }
        var result = set.ToArray();
        Array.Sort(result);
        return result;
    }

    /// <summary>Reads a model file's text (the <see cref="LineOpinionDocument"/> contract). Errors name the source and
    /// what is wrong (one line); fields the scorer does not use (the trainer's notes, each item's positives) are ignored.</summary>
    public static LineOpinion Parse(string json, string sourceName)
    {
        var notModel = $"{sourceName}: not a line-opinion model file";
        FormatException Missing(string name) => new($"{notModel} ('{name}' missing)");
        var root = ContractJson.Read(json, ContractJson.OpinionModel, notModel);
        var format = root.Format ?? throw Missing("format");
        if (format != Format)
            throw new FormatException($"{sourceName}: format '{format}' is not '{Format}' (a model for another feature scheme)");
        var buckets = (root.Features ?? throw Missing("features")).Buckets ?? throw Missing("features.buckets");
        if (buckets is < 16 or > 1 << 24) throw new FormatException($"{sourceName}: features.buckets {buckets} out of range");
        var below = root.ReviewBelow ?? throw Missing("review_below");
        var above = root.ReviewAbove ?? throw Missing("review_above");
        if (!(below >= 0 && below < above && above <= 1))
            throw new FormatException($"{sourceName}: review_below {below} and review_above {above} must satisfy 0 <= below < above <= 1");
        var items = new Dictionary<string, ItemWeights>(StringComparer.Ordinal);
        foreach (var (name, item) in root.Items ?? throw Missing("items"))
        {
            if (item is null) throw new FormatException($"{notModel} (item {name} is not an object)");
            var index = item.Index ?? throw Missing($"items.{name}.index");
            var weight = item.Weight ?? throw Missing($"items.{name}.weight");
            if (index.Count != weight.Count)
                throw new FormatException($"{sourceName}: item {name} has {index.Count} indexes and {weight.Count} weights");
            var weights = new float[buckets];
            for (var i = 0; i < index.Count; i++)
            {
                if (index[i] < 0 || index[i] >= buckets) throw new FormatException($"{sourceName}: item {name} index {index[i]} outside 0..{buckets - 1}");
                weights[index[i]] = weight[i];
            }
            items[name] = new ItemWeights(item.Bias ?? throw Missing($"items.{name}.bias"), weights);
        }
        return new LineOpinion(root.Version ?? throw Missing("version"), root.Language ?? throw Missing("language"), buckets, below, above,
            root.Training?.Fingerprint ?? "", items);
    }

    /// <summary>Builds a model in memory (the trainer, and tests that need a known model).</summary>
    public static LineOpinion Create(string version, string language, int buckets, double reviewBelow, double reviewAbove,
        string trainedOn, IReadOnlyDictionary<string, (double Bias, float[] Weights)> items) =>
        new(version, language, buckets, reviewBelow, reviewAbove, trainedOn,
            items.ToDictionary(kv => kv.Key, kv => new ItemWeights(kv.Value.Bias, kv.Value.Weights), StringComparer.Ordinal));

    private sealed record ItemWeights(double Bias, float[] Weights)
    {
        public double Probability(IReadOnlyList<int> features)
        {
            var z = Bias;
            foreach (var f in features) z += Weights[f];
            return 1 / (1 + Math.Exp(-z));
        }
    }

    // ---- hashing ----------------------------------------------------------------------------------

    private const int WordUnit = 3_000_000;  // SpeechText's Latin-word ids start here; words are not features
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    private static uint Mix(uint h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) h = (h ^ b) * FnvPrime;
        return h;
    }

    private static readonly byte[][] SyllableBytes = ChineseTables.Syllables.Select(Encoding.UTF8.GetBytes).ToArray();

    private static ReadOnlySpan<byte> SyllableUtf8(int syllable) =>
        syllable > 0 && syllable < SyllableBytes.Length ? SyllableBytes[syllable] : "?"u8;

    /// <summary>Formats a probability for a verdict's reason.</summary>
    public static string Percent(double p) => p.ToString("0.00", CultureInfo.InvariantCulture);
}

// The model file as qa labels train writes it (bench/…/OpinionTrainCommand). Only what the scorer reads is declared; every
// field is nullable so that Parse names a missing one.

internal sealed record LineOpinionDocument(
    string? Format, string? Version, string? Language, OpinionFeaturesDocument? Features, OpinionTrainingDocument? Training,
    double? ReviewBelow, double? ReviewAbove, IReadOnlyDictionary<string, OpinionItemDocument?>? Items);

internal sealed record OpinionFeaturesDocument(int? Buckets);

internal sealed record OpinionTrainingDocument(string? Fingerprint);

internal sealed record OpinionItemDocument(double? Bias, IReadOnlyList<int>? Index, IReadOnlyList<float>? Weight);
