namespace QaPipeline.Audio.Separation;

/// <summary>
/// A Gaussian mixture with diagonal covariances, trained by EM: the classic model of one voice in speaker
/// diarization (Reynolds &amp; Rose 1995). The separator trains one per speaker on the frames currently given to that
/// speaker and relabels frames by which model explains them better.
/// </summary>
internal sealed class DiagonalGmm
{
    private const double VarianceFloor = 1e-3;
    private readonly double[] _logWeights;
    private readonly double[][] _means;
    private readonly double[][] _precisions;
    private readonly double[] _logNorms;

    private DiagonalGmm(double[] weights, double[][] means, double[][] variances)
    {
        var dims = means[0].Length;
        _logWeights = weights.Select(w => Math.Log(Math.Max(w, 1e-10))).ToArray();
        _means = means;
        _precisions = variances.Select(v => v.Select(x => 1 / Math.Max(x, VarianceFloor)).ToArray()).ToArray();
        _logNorms = variances.Select(v => -0.5 * (dims * Math.Log(2 * Math.PI) + v.Sum(x => Math.Log(Math.Max(x, VarianceFloor))))).ToArray();
    }

    public int Components => _means.Length;

    /// <summary>Fits <paramref name="components"/> Gaussians to the frames (fewer when there are few frames):
    /// seeded from frames spread evenly through the data, then <paramref name="iterations"/> EM steps.</summary>
    public static DiagonalGmm Train(IReadOnlyList<float[]> frames, int components, int iterations)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames to train on", nameof(frames));
        var dims = frames[0].Length;
        components = Math.Max(1, Math.Min(components, frames.Count / (4 * dims)));
        var globalVariance = Variance(frames, dims);
        var means = Enumerable.Range(0, components)
            .Select(k => frames[(int)((k + 0.5) * frames.Count / components)].Select(x => (double)x).ToArray()).ToArray();
        var model = new DiagonalGmm(Enumerable.Repeat(1.0 / components, components).ToArray(), means,
            Enumerable.Range(0, components).Select(_ => (double[])globalVariance.Clone()).ToArray());
        var responsibilities = new double[components];
        for (var it = 0; it < iterations; it++)
        {
            var n = new double[components];
            var sum = new double[components][];
            var sumSq = new double[components][];
            for (var k = 0; k < components; k++)
            {
                sum[k] = new double[dims];
                sumSq[k] = new double[dims];
            }
            foreach (var x in frames)
            {
                model.Posteriors(x, responsibilities);
                for (var k = 0; k < components; k++)
                {
                    var r = responsibilities[k];
                    if (r < 1e-6) continue;
                    n[k] += r;
                    var s = sum[k];
                    var q = sumSq[k];
                    for (var d = 0; d < dims; d++)
                    {
                        s[d] += r * x[d];
                        q[d] += r * x[d] * x[d];
                    }
                }
            }
            var weights = new double[components];
            var newMeans = new double[components][];
            var variances = new double[components][];
            for (var k = 0; k < components; k++)
            {
                // A component that lost its frames restarts on the global statistics instead of dividing by ~0.
                if (n[k] < dims)
                {
                    weights[k] = 1e-3;
                    newMeans[k] = model._means[k];
                    variances[k] = (double[])globalVariance.Clone();
                    continue;
                }
                weights[k] = n[k] / frames.Count;
                newMeans[k] = new double[dims];
                variances[k] = new double[dims];
                for (var d = 0; d < dims; d++)
                {
                    var mean = sum[k][d] / n[k];
                    newMeans[k][d] = mean;
                    variances[k][d] = Math.Max(sumSq[k][d] / n[k] - mean * mean, VarianceFloor);
                }
            }
            var total = weights.Sum();
            model = new DiagonalGmm(weights.Select(w => w / total).ToArray(), newMeans, variances);
        }
        return model;
    }

    /// <summary>log p(x) under the mixture.</summary>
    public double LogLikelihood(float[] x)
    {
        Span<double> logs = stackalloc double[_means.Length];
        return LogComponents(x, logs);
    }

    private double LogComponents(float[] x, Span<double> logs)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < _means.Length; k++)
        {
            var mean = _means[k];
            var precision = _precisions[k];
            double q = 0;
            for (var d = 0; d < x.Length; d++)
            {
                var diff = x[d] - mean[d];
                q += diff * diff * precision[d];
            }
            logs[k] = _logWeights[k] + _logNorms[k] - 0.5 * q;
            if (logs[k] > max) max = logs[k];
        }
        double sum = 0;
        for (var k = 0; k < logs.Length; k++) sum += Math.Exp(logs[k] - max);
        return max + Math.Log(sum);
    }

    private void Posteriors(float[] x, double[] into)
    {
        Span<double> logs = stackalloc double[_means.Length];
        var total = LogComponents(x, logs);
        for (var k = 0; k < logs.Length; k++) into[k] = Math.Exp(logs[k] - total);
    }

    private static double[] Variance(IReadOnlyList<float[]> frames, int dims)
    {
        var mean = new double[dims];
        var sq = new double[dims];
        foreach (var x in frames)
            for (var d = 0; d < dims; d++)
            {
                mean[d] += x[d];
                sq[d] += x[d] * x[d];
            }
        return Enumerable.Range(0, dims)
            .Select(d => Math.Max(sq[d] / frames.Count - mean[d] / frames.Count * (mean[d] / frames.Count), VarianceFloor)).ToArray();
    }
}
