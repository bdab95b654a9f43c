using Microsoft.ML.OnnxRuntime;
using QaPipeline.Audio.Decoding;

namespace QaPipeline.Audio.VoiceActivity;

/// <summary>
/// Silero VAD (v5/v6 ONNX interface: inputs <c>input</c>, <c>state</c>, <c>sr</c>; outputs <c>output</c>,
/// <c>stateN</c>) run with ONNX Runtime on 16 kHz audio. Each 512-sample window is fed together with the last
/// 64 samples of the previous window, as the reference OnnxWrapper does: v5+ models were trained with that
/// context and give poor probabilities without it. For speed the channels and ~30 s pieces of the recording run
/// side by side as one batch (see <see cref="Infer"/>). An instance is not thread-safe (it owns the recurrent
/// state and the pinned tensors); use one per thread.
/// </summary>
public sealed class SileroVad : IDisposable
{
    public const int SampleRate = AudioDecoder.SampleRate;
    public const int WindowSamples = 512;
    public const int ContextSamples = 64;
    private const int StateSize = 128;

    /// <summary>Windows per piece of audio run as one batch row (~30 s).</summary>
    internal const int PieceWindows = 938;

    /// <summary>Windows replayed before each piece to settle the recurrent state (~1 s).</summary>
    internal const int WarmupWindows = 32;

    /// <summary>Rows per inference call: beyond ~16 the cost per window stops falling (measured: 287 µs per
    /// window at 1 row, 179 at 2, 72 at 16, 68 at 32).</summary>
    private const int TargetBatchRows = 16;

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
        _session = OnnxModelLoader.Load(modelPath);
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
    /// The model path to use: an explicit one (an option, else <c>QA_VAD_MODEL</c> as the host read it), else
    /// <c>models/silero_vad.onnx</c> looked up from the working directory and then from the program's directory upwards
    /// (a checkout's root).
    /// </summary>
    public static string ResolveModelPath(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return explicitPath;
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
        var result = new List<float>((samples.Length + WindowSamples - 1) / WindowSamples);
        Infer([new AudioChunk(0, [samples.ToArray()])], (_, p) => result.Add(p), CancellationToken.None);
        return result.ToArray();
    }

    /// <summary>Speech segments of one 16 kHz channel held in memory.</summary>
    public IReadOnlyList<SpeechSegment> DetectSpeech(ReadOnlySpan<float> samples) =>
        DetectSpeech([new AudioChunk(0, [samples.ToArray()])]) is { Length: 1 } one ? one[0] : [];

    /// <summary>
    /// Speech segments per channel of a streamed recording (the output of <see cref="AudioDecoder.Decode"/>), in
    /// bounded memory: only one batch of audio (about 8 minutes, ~31 MB) and the segments found so far are kept.
    /// </summary>
    public IReadOnlyList<SpeechSegment>[] DetectSpeech(IEnumerable<AudioChunk> chunks, CancellationToken cancellationToken = default)
    {
        SpeechSegmenter[] segmenters = [];
        var total = Infer(chunks.Select(chunk =>
        {
            if (segmenters.Length == 0)
                segmenters = Enumerable.Range(0, chunk.ChannelCount).Select(_ => new SpeechSegmenter(Options)).ToArray();
            return chunk;
        }), (channel, p) => segmenters[channel].Push(p), cancellationToken);
        return segmenters.Select(s => s.Finish(total)).ToArray();
    }

    /// <summary>
    /// Runs the model over every window of every channel and reports each probability in time order per channel;
    /// returns the number of samples per channel.
    /// <para>Speed: one inference call costs about as much for 16 rows as for 2, so the audio is cut into pieces of
    /// <see cref="PieceWindows"/> windows that run side by side as one batch (pieces × channels rows). Each piece
    /// restarts the recurrent state and first replays the preceding <see cref="WarmupWindows"/> windows (~1 s),
    /// whose probabilities are discarded, so the state has settled when its own windows begin.</para>
    /// </summary>
    private long Infer(IEnumerable<AudioChunk> chunks, Action<int, float> report, CancellationToken cancellationToken)
    {
        const int warmupSamples = WarmupWindows * WindowSamples;
        const int pieceSamples = PieceWindows * WindowSamples;
        float[][] group = [];     // per channel: warm-up, then the group's pieces back to back
        var piecesPerGroup = 0;
        var filled = 0;           // samples of the current group's pieces received so far
        var groups = 0;
        long total = 0;
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (group.Length == 0)
            {
                piecesPerGroup = Math.Max(1, TargetBatchRows / chunk.ChannelCount);
                // Grown on demand: a 5-second clip should not allocate eight minutes of buffer.
                group = Enumerable.Range(0, chunk.ChannelCount).Select(_ => new float[warmupSamples + pieceSamples]).ToArray();
            }
            total += chunk.Length;
            var offset = 0;
            while (offset < chunk.Length)
            {
                var take = Math.Min(piecesPerGroup * pieceSamples - filled, chunk.Length - offset);
                if (warmupSamples + filled + take > group[0].Length)
                {
                    // Whole pieces only: the batch reads every piece to its end in lock-step.
                    var pieces = Math.Max(2 * (group[0].Length - warmupSamples) / pieceSamples, (filled + take + pieceSamples - 1) / pieceSamples);
                    for (var c = 0; c < group.Length; c++)
                        Array.Resize(ref group[c], warmupSamples + Math.Min(piecesPerGroup, pieces) * pieceSamples);
                }
                for (var c = 0; c < group.Length; c++)
                    Array.Copy(chunk.Channels[c], offset, group[c], warmupSamples + filled, take);
                filled += take;
                offset += take;
                if (filled == piecesPerGroup * pieceSamples)
                {
                    InferGroup(group, filled, firstGroup: groups++ == 0, report);
                    foreach (var channel in group)
                    {
                        // The group's last second becomes the next group's warm-up.
                        Array.Copy(channel, channel.Length - warmupSamples, channel, 0, warmupSamples);
                        Array.Clear(channel, warmupSamples, channel.Length - warmupSamples);
                    }
                    filled = 0;
                }
            }
        }
        if (filled > 0) InferGroup(group, filled, firstGroup: groups++ == 0, report);
        return total;
    }

    private void InferGroup(float[][] group, int filled, bool firstGroup, Action<int, float> report)
    {
        var channels = group.Length;
        var windows = (filled + WindowSamples - 1) / WindowSamples;
        var pieces = (windows + PieceWindows - 1) / PieceWindows;
        var batch = BatchOf(pieces * channels);
        batch.Reset();
        var probabilities = new float[channels][];
        for (var c = 0; c < channels; c++) probabilities[c] = new float[pieces * PieceWindows];
        // A recording's single piece needs no warm-up (its start is the reference's fresh state), and a single
        // piece stops at its last window instead of running a full piece in lock-step.
        var from = firstGroup && pieces == 1 ? WarmupWindows : 0;
        var to = WarmupWindows + (pieces == 1 ? windows : PieceWindows);
        for (var w = from; w < to; w++)
        {
            for (var piece = 0; piece < pieces; piece++)
                for (var c = 0; c < channels; c++)
                    batch.Load(piece * channels + c, group[c].AsSpan((piece * PieceWindows + w) * WindowSamples, WindowSamples));
            var output = Run(batch);
            if (w < WarmupWindows) continue;
            for (var piece = 0; piece < pieces; piece++)
                for (var c = 0; c < channels; c++)
                    probabilities[c][piece * PieceWindows + w - WarmupWindows] = output[piece * channels + c];
        }
        for (var c = 0; c < channels; c++)
            for (var w = 0; w < windows; w++)
                report(c, probabilities[c][w]);
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
