using Microsoft.ML.OnnxRuntime;
using QaPipeline.Audio.Decoding;

namespace QaPipeline.Audio.VoiceActivity;

/// <summary>
/// Silero VAD (v5/v6 ONNX interface: inputs <c>input</c>, <c>state</c>, <c>sr</c>; outputs <c>output</c>,
/// <c>stateN</c>) run with ONNX Runtime on 16 kHz audio. Each 512-sample window is fed together with the last
/// 64 samples of the previous window, as the reference OnnxWrapper does: v5+ models were trained with that
/// context and give poor probabilities without it. Channels of a stereo call are run as one batch, which halves
/// the number of inference calls. An instance is not thread-safe (it owns the recurrent state); use one per thread.
/// </summary>
public sealed class SileroVad : IDisposable
{
    public const int SampleRate = AudioDecoder.SampleRate;
    public const int WindowSamples = 512;
    public const int ContextSamples = 64;
    private const int StateSize = 128;

    /// <summary>Environment variable that points the product at the model file.</summary>
    public const string ModelPathVariable = "QA_VAD_MODEL";

    /// <summary>Where the model lives in a checkout when nothing else is said (linked there by setup.sh).</summary>
    public const string DefaultModelPath = "models/silero_vad.onnx";

    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly Dictionary<int, Batch> _batches = [];

    public SileroVad(string modelPath, VadOptions? options = null)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException(
                $"Silero VAD model not found at {modelPath}: set {ModelPathVariable} or put silero_vad.onnx in models/ (see docs/audio.md)",
                modelPath);
        Options = options ?? new VadOptions();
        ModelPath = Path.GetFullPath(modelPath);
        // A 2 MB recurrent model: one thread per session is fastest; thread hand-offs cost more than the maths.
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: not a loadable ONNX model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        var inputs = _session.InputMetadata.Keys.ToHashSet();
        var outputs = _session.OutputMetadata.Keys.ToHashSet();
        if (!InputNames.All(inputs.Contains) || !OutputNames.All(outputs.Contains))
        {
            _session.Dispose();
            throw new InvalidDataException(
                $"{modelPath}: not a Silero VAD v5/v6 model (inputs {string.Join(",", inputs)}; outputs {string.Join(",", outputs)})");
        }
    }

    public VadOptions Options { get; }

    public string ModelPath { get; }

    /// <summary>
    /// The model path to use: an explicit one, else <c>QA_VAD_MODEL</c>, else <c>models/silero_vad.onnx</c> looked
    /// up from the working directory and then from the program's directory upwards (a checkout's root).
    /// </summary>
    public static string ResolveModelPath(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return explicitPath;
        var fromEnvironment = Environment.GetEnvironmentVariable(ModelPathVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultModelPath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return DefaultModelPath;
    }

    /// <summary>Speech probability of each 32 ms window of one 16 kHz channel (the last window zero-padded).</summary>
    public float[] SpeechProbabilities(ReadOnlySpan<float> samples)
    {
        var windows = (samples.Length + WindowSamples - 1) / WindowSamples;
        var result = new float[windows];
        var batch = BatchOf(1);
        batch.Reset();
        for (var w = 0; w < windows; w++)
        {
            var from = w * WindowSamples;
            batch.Load(0, samples.Slice(from, Math.Min(WindowSamples, samples.Length - from)));
            result[w] = Run(batch)[0];
        }
        return result;
    }

    /// <summary>Speech segments of one 16 kHz channel held in memory.</summary>
    public IReadOnlyList<SpeechSegment> DetectSpeech(ReadOnlySpan<float> samples)
    {
        var segmenter = new SpeechSegmenter(Options);
        foreach (var p in SpeechProbabilities(samples)) segmenter.Push(p);
        return segmenter.Finish(samples.Length);
    }

    /// <summary>
    /// Speech segments per channel of a streamed recording (the output of <see cref="AudioDecoder.Decode"/>), in
    /// bounded memory: only a window of audio and the segments found so far are kept.
    /// </summary>
    public IReadOnlyList<SpeechSegment>[] DetectSpeech(IEnumerable<AudioChunk> chunks, CancellationToken cancellationToken = default)
    {
        Batch? batch = null;
        SpeechSegmenter[] segmenters = [];
        float[][] pending = [];
        var pendingCount = 0;
        long total = 0;
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batch is null)
            {
                batch = BatchOf(chunk.ChannelCount);
                batch.Reset();
                segmenters = Enumerable.Range(0, chunk.ChannelCount).Select(_ => new SpeechSegmenter(Options)).ToArray();
                pending = Enumerable.Range(0, chunk.ChannelCount).Select(_ => new float[WindowSamples]).ToArray();
            }
            total += chunk.Length;
            var offset = 0;
            while (offset < chunk.Length)
            {
                var take = Math.Min(WindowSamples - pendingCount, chunk.Length - offset);
                for (var c = 0; c < pending.Length; c++)
                    Array.Copy(chunk.Channels[c], offset, pending[c], pendingCount, take);
                pendingCount += take;
                offset += take;
                if (pendingCount == WindowSamples)
                {
                    RunWindow(batch, pending, WindowSamples, segmenters);
                    pendingCount = 0;
                }
            }
        }
        if (batch is null) return [];
        if (pendingCount > 0) RunWindow(batch, pending, pendingCount, segmenters);
        return segmenters.Select(s => s.Finish(total)).ToArray();
    }

    private void RunWindow(Batch batch, float[][] pending, int count, SpeechSegmenter[] segmenters)
    {
        for (var c = 0; c < pending.Length; c++) batch.Load(c, pending[c].AsSpan(0, count));
        var probabilities = Run(batch);
        for (var c = 0; c < segmenters.Length; c++) segmenters[c].Push(probabilities[c]);
    }

    private float[] Run(Batch batch)
    {
        _session.Run(_runOptions, InputNames, batch.Inputs, OutputNames, batch.Outputs);
        batch.CarryState();
        return batch.Probabilities;
    }

    private Batch BatchOf(int size)
    {
        if (!_batches.TryGetValue(size, out var batch)) _batches[size] = batch = new Batch(size);
        return batch;
    }

    public void Dispose()
    {
        foreach (var b in _batches.Values) b.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>Pinned input/output tensors for one batch size, reused across windows so that inference
    /// allocates nothing per call.</summary>
    private sealed class Batch : IDisposable
    {
        private readonly int _size;
        private readonly float[] _input;
        private readonly float[] _state;
        private readonly float[] _stateOut;

        public Batch(int size)
        {
            _size = size;
            _input = new float[size * (ContextSamples + WindowSamples)];
            _state = new float[2 * size * StateSize];
            _stateOut = new float[2 * size * StateSize];
            Probabilities = new float[size];
            Inputs =
            [
                OrtValue.CreateTensorValueFromMemory(_input, [size, ContextSamples + WindowSamples]),
                OrtValue.CreateTensorValueFromMemory(_state, [2, size, StateSize]),
                OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, []),
            ];
            Outputs =
            [
                OrtValue.CreateTensorValueFromMemory(Probabilities, [size, 1]),
                OrtValue.CreateTensorValueFromMemory(_stateOut, [2, size, StateSize]),
            ];
        }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public float[] Probabilities { get; }

        public void Reset()
        {
            Array.Clear(_input);
            Array.Clear(_state);
        }

        /// <summary>Puts one channel's next window (zero-padded when short) after that channel's 64-sample context,
        /// which is the tail of its previous window.</summary>
        public void Load(int channel, ReadOnlySpan<float> window)
        {
            var row = _input.AsSpan(channel * (ContextSamples + WindowSamples), ContextSamples + WindowSamples);
            row[WindowSamples..].CopyTo(row);          // previous window's last 64 samples become the context
            window.CopyTo(row[ContextSamples..]);
            row[(ContextSamples + window.Length)..].Clear();
        }

        public void CarryState() => _stateOut.CopyTo(_state, 0);

        public void Dispose()
        {
            foreach (var v in Inputs) v.Dispose();
            foreach (var v in Outputs) v.Dispose();
        }
    }
}
