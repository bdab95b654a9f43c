using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// A speaker-embedding model in ONNX, the interface the common WeSpeaker and 3D-Speaker exports share: one input,
/// float <c>[batch, frames, 80]</c> Kaldi-style log-mel filterbank frames of 16 kHz audio (25 ms window, 10 ms hop),
/// one output, float <c>[batch, D]</c>, a voice embedding compared by cosine similarity. The model is checked
/// against that interface when it is loaded, and refused with one line when it does not fit.
/// <para>Feature conventions follow those recipes: each window's frames have their mean per band subtracted (both
/// recipes' CMN) unless the model's metadata says <c>feature_normalize_type=none</c>; the log energies are of
/// 16-bit-scaled samples, as WeSpeaker computes them, unless the metadata says <c>normalize_samples=1</c> (3D-Speaker's
/// [-1, 1] samples, as sherpa-onnx marks its exports). With the mean subtracted the scale makes no difference.</para>
/// <para>One loaded model serves the whole process (<see cref="Open"/>): ONNX Runtime runs one session from several
/// threads safely, and loading a model per call would cost more than embedding its speech.</para>
/// </summary>
public sealed class SpeakerEmbeddingModel
{
    /// <summary>Log-mel bands per frame the model must take.</summary>
    public const int FeatureBands = 80;

    /// <summary>Windows per inference call when the model takes any batch size.</summary>
    private const int BatchWindows = 32;

    /// <summary>ln(2^30): the log-power offset of 16-bit-scaled samples over [-1, 1] ones.</summary>
    private static readonly float SixteenBitOffset = (float)(30 * Math.Log(2));

    /// <summary>Kaldi's floor on a filterbank energy (FLT_EPSILON), applied after the samples' scaling.</summary>
    private static readonly float LogFloor = MathF.Log(1.1920929e-7f);

    private static readonly Dictionary<(string Path, DateTime Written, long Length), SpeakerEmbeddingModel> Loaded = [];

    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string _output;
    private readonly bool _batched;
    private readonly float _offset;

    private SpeakerEmbeddingModel(string modelPath)
    {
        ModelPath = Path.GetFullPath(modelPath);
        // One thread per session: calls are analysed side by side on the workers, each embedding its own windows.
        _session = OnnxModelLoader.Load(modelPath);
        try
        {
            if (Misfit(_session) is { } misfit)
                throw new InvalidDataException($"{modelPath}: not a speaker-embedding model this product can feed: {misfit}");
            _input = _session.InputMetadata.Keys.Single();
            _output = _session.OutputMetadata.Keys.First();
            var input = _session.InputMetadata[_input].Dimensions;
            _batched = input[0] <= 0;
            WindowFrames = input[1] > 0 ? input[1] : null;
            var output = _session.OutputMetadata[_output].Dimensions;
            Dimensions = output[1] > 0 ? output[1] : null;
            var metadata = _session.ModelMetadata.CustomMetadataMap;
            SubtractsMean = !(metadata.TryGetValue("feature_normalize_type", out var normalise) && normalise == "none");
            _offset = metadata.TryGetValue("normalize_samples", out var unit) && unit == "1" ? 0 : SixteenBitOffset;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

    /// <summary>Frames per window when the model was exported for one fixed length; null when any length will do.</summary>
    public int? WindowFrames { get; }

    /// <summary>Embedding size when the model declares it.</summary>
    public int? Dimensions { get; }

    /// <summary>Whether each window's mean log-mel frame is subtracted before the model sees it.</summary>
    public bool SubtractsMean { get; }

    /// <summary>The loaded model at <paramref name="modelPath"/>, loaded once per process (again if the file is
    /// replaced). A missing file is a <see cref="FileNotFoundException"/>, a file that is not a usable model an
    /// <see cref="InvalidDataException"/>, each with a one-line message.</summary>
    public static SpeakerEmbeddingModel Open(string modelPath)
    {
        var file = new FileInfo(modelPath);
        if (!file.Exists)
            throw new FileNotFoundException(
                $"speaker-embedding model not found at {modelPath}: give an ONNX model (WeSpeaker or 3D-Speaker export) or leave the setting unset for the built-in separator",
                modelPath);
        var key = (file.FullName, file.LastWriteTimeUtc, file.Length);
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(key, out var model)) Loaded[key] = model = new SpeakerEmbeddingModel(modelPath);
            return model;
        }
    }

    /// <summary>Why the session does not fit the interface, or null when it does.</summary>
    private static string? Misfit(InferenceSession session)
    {
        if (session.InputMetadata.Count != 1)
            return $"it has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}), expected one: float [batch, frames, {FeatureBands}] log-mel frames";
        var (name, input) = session.InputMetadata.Single();
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 3
            || input.Dimensions[2] != FeatureBands || input.Dimensions[0] > 1)
            return $"input '{name}' is {Describe(input)}, expected float [batch, frames, {FeatureBands}] log-mel frames";
        if (session.OutputMetadata.Count == 0) return "it has no output";
        var (outName, output) = session.OutputMetadata.First();
        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2
            || output.Dimensions[0] > 1 || output.Dimensions[1] == 0)
            return $"output '{outName}' is {Describe(output)}, expected float [batch, D] embeddings";
        if (session.ModelMetadata.CustomMetadataMap.TryGetValue("sample_rate", out var rate) && rate != "16000")
            return $"it was trained on {rate} Hz audio, the product analyses 16000 Hz";
        return null;
    }

    private static string Describe(NodeMetadata node) => !node.IsTensor ? node.OnnxValueType.ToString()
        : $"{node.ElementDataType.ToString().ToLowerInvariant()} [{string.Join(", ", node.Dimensions.Select((d, i) => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : node.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]";

    /// <summary>
    /// Embeddings of windows of log-mel frames (each window <c>frames × 80</c> values, frame after frame, as read
    /// from <see cref="MelCepstrum.LogMel"/>): the samples' scale and Kaldi's floor are applied, the window mean
    /// subtracted where the model expects it, and windows of one length run as one batch.
    /// </summary>
    public float[][] Embed(IReadOnlyList<float[]> windows)
    {
        var result = new float[windows.Count][];
        using var runOptions = new RunOptions();
        foreach (var sameLength in Enumerable.Range(0, windows.Count).GroupBy(i => windows[i].Length / FeatureBands))
        {
            var frames = sameLength.Key;
            var indexes = sameLength.ToList();
            var size = _batched ? BatchWindows : 1;
            for (var from = 0; from < indexes.Count; from += size)
            {
                var batch = indexes.Skip(from).Take(size).ToList();
                var input = new float[batch.Count * frames * FeatureBands];
                for (var k = 0; k < batch.Count; k++) Prepare(windows[batch[k]], input.AsSpan(k * frames * FeatureBands, frames * FeatureBands));
                using var value = OrtValue.CreateTensorValueFromMemory(input, [batch.Count, frames, FeatureBands]);
                using var outputs = _session.Run(runOptions, [_input], [value], [_output]);
                var data = outputs[0].GetTensorDataAsSpan<float>();
                var width = data.Length / batch.Count;
                for (var k = 0; k < batch.Count; k++) result[batch[k]] = data.Slice(k * width, width).ToArray();
            }
        }
        return result;
    }

    private void Prepare(float[] window, Span<float> destination)
    {
        var frames = window.Length / FeatureBands;
        for (var i = 0; i < window.Length; i++) destination[i] = MathF.Max(window[i] + _offset, LogFloor);
        if (!SubtractsMean || frames == 0) return;
        Span<double> mean = stackalloc double[FeatureBands];
        for (var t = 0; t < frames; t++)
            for (var b = 0; b < FeatureBands; b++) mean[b] += destination[t * FeatureBands + b];
        for (var b = 0; b < FeatureBands; b++) mean[b] /= frames;
        for (var t = 0; t < frames; t++)
            for (var b = 0; b < FeatureBands; b++) destination[t * FeatureBands + b] -= (float)mean[b];
    }
}
