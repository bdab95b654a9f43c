using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using QaPipeline.Learning.Reviews;

namespace QaPipeline.Learning.Model;

/// <summary>
/// A trained ML.NET model that gives, for an automatic item verdict, the probability that a human reviewer
/// would overturn it. One model for all rubric items: the item id is a one-hot feature, so items with few reviews
/// borrow strength from the rest while trees can still split on an item where it behaves differently.
/// </summary>
public sealed class DisagreementModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _transformer;
    private readonly DataViewSchema _schema;

    private DisagreementModel(MLContext ml, ITransformer transformer, DataViewSchema schema)
    {
        _ml = ml;
        _transformer = transformer;
        _schema = schema;
    }

    /// <summary>
    /// Gradient-boosted trees (FastTree, ML.NET's MART implementation). Trees fit the interactions that matter here
    /// (an item's verdict is wrong only under some rubric versions, or only near a threshold) without hand-made crosses.
    /// One thread and a fixed seed keep training reproducible on a shared machine.
    /// </summary>
    public static DisagreementModel Train(IReadOnlyList<ReviewedVerdict> reviews, int seed = 1)
    {
        if (reviews.Count == 0) throw new ArgumentException("no reviews to train on", nameof(reviews));
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(reviews.Select(ModelRow.From));
        var pipeline = ml.Transforms.Categorical.OneHotEncoding([
                new InputOutputColumnPair("ItemIdKey", nameof(ModelRow.ItemId)),
                new InputOutputColumnPair("VerdictKey", nameof(ModelRow.AutomaticVerdict)),
                new InputOutputColumnPair("RubricKey", nameof(ModelRow.RubricVersion)),
            ])
            .Append(ml.Transforms.Concatenate("Features", "ItemIdKey", "VerdictKey", "RubricKey",
                nameof(ModelRow.RuleMatchSimilarity), nameof(ModelRow.AsrConfidence), nameof(ModelRow.PositionInCall),
                nameof(ModelRow.OverlapCount), nameof(ModelRow.MaxSilenceSeconds), nameof(ModelRow.AgentDisagreementRate)))
            .Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfLeaves = 16,
                NumberOfTrees = 120,
                MinimumExampleCountPerLeaf = 10,
                LearningRate = 0.15,
                NumberOfThreads = 1,
            }));
        var transformer = pipeline.Fit(data);
        return new DisagreementModel(ml, transformer, data.Schema);
    }

    /// <summary>Probability (0..1) that a reviewer overturns each verdict, in input order.</summary>
    public IReadOnlyList<double> PredictDisagreement(IReadOnlyList<VerdictFeatures> verdicts)
    {
        if (verdicts.Count == 0) return [];
        var data = _ml.Data.LoadFromEnumerable(verdicts.Select(v => ModelRow.From(v, label: false)));
        var scored = _transformer.Transform(data);
        return scored.GetColumn<float>("Probability").Select(p => (double)p).ToList();
    }

    public void Save(string path) => _ml.Model.Save(_transformer, _schema, path);

    public static DisagreementModel Load(string path)
    {
        var ml = new MLContext(1);
        var transformer = ml.Model.Load(path, out var schema);
        return new DisagreementModel(ml, transformer, schema);
    }

    /// <summary>The row ML.NET sees. Kept internal: callers speak in <see cref="VerdictFeatures"/>.</summary>
    internal sealed class ModelRow
    {
        public bool Label { get; set; }
        public string ItemId { get; set; } = "";
        public string AutomaticVerdict { get; set; } = "";
        public string RubricVersion { get; set; } = "";
        public float RuleMatchSimilarity { get; set; }
        public float AsrConfidence { get; set; }
        public float PositionInCall { get; set; }
        public float OverlapCount { get; set; }
        public float MaxSilenceSeconds { get; set; }
        public float AgentDisagreementRate { get; set; }

        public static ModelRow From(ReviewedVerdict r) => From(r.Features, r.HumanDisagreed);

        public static ModelRow From(VerdictFeatures f, bool label) => new()
        {
            Label = label,
            ItemId = f.ItemId,
            AutomaticVerdict = f.AutomaticVerdict,
            RubricVersion = f.RubricVersion,
            RuleMatchSimilarity = (float)f.RuleMatchSimilarity,
            AsrConfidence = (float)f.DecidingWordsAsrConfidence,
            PositionInCall = (float)f.PositionInCall,
            OverlapCount = f.OverlapCount,
            MaxSilenceSeconds = (float)f.MaxSilenceSeconds,
            AgentDisagreementRate = (float)f.AgentDisagreementRate,
        };
    }
}
