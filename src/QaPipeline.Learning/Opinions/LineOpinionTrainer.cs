using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using QaPipeline.Scoring.Matching;

namespace QaPipeline.Learning.Opinions;

/// <summary>
/// Trains the per-item second opinion (<see cref="LineOpinion"/>) on labelled lines: ML.NET's SDCA logistic
/// regression over the hashed character and pinyin n-grams that <see cref="LineOpinion.Features"/> computes, one
/// binary model per item. The fitted weights are exported as plain numbers (Platt calibration folded in), so the
/// scoring core evaluates the model with a dot product and never loads ML.NET.
/// </summary>
public static class LineOpinionTrainer
{
    /// <summary>L1 keeps the shipped file small (most hashed n-grams get no weight); L2 keeps it stable.</summary>
    public const float DefaultL1 = 0.02f;
    public const float DefaultL2 = 0.02f;

    /// <summary>Weights under this are dropped from the file: they cannot move a probability visibly.</summary>
    public const float MinWeight = 1e-3f;

    public sealed record Trained(double Bias, float[] Weights, double MaxProbabilityGap);

    /// <summary>Fits one item. <paramref name="features"/>: each example's distinct buckets; <paramref name="labels"/>:
    /// whether the example shows the item. Returns the exported weights and the largest difference between ML.NET's
    /// probability and the exported dot product on the training examples (a check that the export is exact).</summary>
    public static Trained TrainItem(IReadOnlyList<int[]> features, IReadOnlyList<bool> labels, int buckets, int seed = 1,
        float l1 = DefaultL1, float l2 = DefaultL2)
    {
        if (features.Count != labels.Count) throw new ArgumentException("one label per example");
        if (!labels.Contains(true) || !labels.Contains(false)) throw new ArgumentException("both classes are needed to train");
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, buckets);
        var rows = features.Select((f, i) => new Row
        {
            Label = labels[i],
            Features = new VBuffer<float>(buckets, f.Length, Enumerable.Repeat(1f, f.Length).ToArray(), f),
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            L1Regularization = l1,
            L2Regularization = l2,
            NumberOfThreads = 1,          // reproducible on a shared machine
            MaximumNumberOfIterations = 200,
            Shuffle = true,
        });
        var model = trainer.Fit(data);
        var linear = model.Model.SubModel;
        var platt = model.Model.Calibrator;
        // P = 1 / (1 + exp(slope * (bias + w·x) + offset))  ==  sigmoid(bias' + w'·x)
        var bias = -(platt.Slope * linear.Bias + platt.Offset);
        var weights = new float[buckets];
        var raw = linear.Weights;
        for (var i = 0; i < buckets; i++)
        {
            var w = (float)(-platt.Slope * raw[i]);
            weights[i] = Math.Abs(w) < MinWeight ? 0 : w;
        }

        var scored = model.Transform(data).GetColumn<float>("Probability").ToList();
        var gap = 0.0;
        for (var i = 0; i < features.Count; i++)
        {
            var z = bias + features[i].Sum(f => (double)weights[f]);
            gap = Math.Max(gap, Math.Abs(1 / (1 + Math.Exp(-z)) - scored[i]));
        }
        return new Trained(bias, weights, gap);
    }

    private sealed class Row
    {
        public bool Label { get; set; }
        public VBuffer<float> Features { get; set; }
    }
}
