using QaPipeline.Audio.Decoding;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// The optional second output of <see cref="MelCepstrum"/>: Kaldi-style log-mel filterbank energies ("fbank") of the
/// same frames, the input speaker-embedding models (WeSpeaker, 3D-Speaker) are trained on, as
/// <c>torchaudio.compliance.kaldi.fbank</c> computes them for WeSpeaker: no dither, DC removed, 0.97 pre-emphasis
/// within the frame (Kaldi's first sample is pre-emphasised against itself, not against the sample before, as the
/// cepstra's is: sharing the cepstra's spectrum was tried and differs by up to 0.7 in the low-energy bands under
/// 250 Hz and over 6 kHz), Hamming window, 512-point power spectrum through the same <see cref="RealFft"/>. That
/// second transform runs only when the filterbank is asked for; the default (cepstra only) does no extra work.
/// </summary>
public sealed partial class MelCepstrum
{
    private readonly LogMelFilterbank? _filterbank;

    /// <summary>Cepstra only (what the cepstral separator needs).</summary>
    public MelCepstrum()
    {
    }

    /// <summary>Cepstra, and <paramref name="filterbankBands"/> log-mel energies per frame as well (0 = none).</summary>
    public MelCepstrum(int filterbankBands)
    {
        if (filterbankBands < 0) throw new ArgumentOutOfRangeException(nameof(filterbankBands), "band count must be zero or more");
        if (filterbankBands > 0) _filterbank = new LogMelFilterbank(filterbankBands);
    }

    /// <summary>Cepstra and log-mel energies of a whole channel held in memory.</summary>
    public static MelCepstrum Of(ReadOnlySpan<float> samples, int filterbankBands)
    {
        var cepstrum = new MelCepstrum(filterbankBands);
        cepstrum.Push(samples);
        return cepstrum;
    }

    /// <summary>Log-mel bands kept per frame (0 when the filterbank was not asked for).</summary>
    public int FilterbankBands => _filterbank?.Bands ?? 0;

    /// <summary>
    /// The log-mel energies of frame <paramref name="frame"/> (natural log of the filter's power, samples on the
    /// [-1, 1] scale) into <paramref name="destination"/>, one value per band. Kaldi floors each energy at
    /// FLT_EPSILON after any rescaling of the samples, so the caller applies its model's scale and floor.
    /// </summary>
    public void LogMel(int frame, Span<float> destination)
    {
        if (_filterbank is null) throw new InvalidOperationException("this MelCepstrum was made without a log-mel filterbank");
        _filterbank.Read(frame, destination);
    }

    /// <summary>
    /// Kaldi's mel filterbank (as <c>torchaudio.compliance.kaldi.fbank</c> computes it): triangles equally spaced
    /// and triangular on the mel scale from 20 Hz to the Nyquist frequency, over FFT bins 0..255 (the Nyquist bin
    /// is left out), applied to the power spectrum. Stored as 16-bit floats, which keep a log energy to ~0.01
    /// (far below what a speaker model resolves) and halve the memory: 80 bands are ~58 MB per hour of audio.
    /// </summary>
    private sealed class LogMelFilterbank
    {
        private const int FramesPerBlock = 4096;
        private const double LowHz = 20;
        private const float Floor = 1e-30f;

        private readonly (int First, float[] Weights)[] _filters;
        private readonly List<Half[]> _blocks = [];
        private readonly RealFft _fft = new(FftSize);
        private readonly float[] _frame = new float[FftSize];
        private readonly float[] _power = new float[FftSize / 2 + 1];
        private int _count;

        public LogMelFilterbank(int bands)
        {
            Bands = bands;
            _filters = KaldiFilters(bands);
        }

        public int Bands { get; }

        /// <summary>Adds the frame of <paramref name="samples"/> (the 400 raw samples of one 25 ms frame).</summary>
        public void Add(float[] samples)
        {
            double mean = 0;
            for (var i = 0; i < FrameSamples; i++) mean += samples[i];
            mean /= FrameSamples;
            for (var i = FrameSamples - 1; i >= 0; i--)
            {
                var x = samples[i] - mean;
                var before = i > 0 ? samples[i - 1] - mean : x;
                _frame[i] = (float)((x - 0.97 * before) * Window[i]);
            }
            Array.Clear(_frame, FrameSamples, FftSize - FrameSamples);
            _fft.PowerSpectrum(_frame, _power);
            var power = _power;
            if (_count % FramesPerBlock == 0) _blocks.Add(new Half[FramesPerBlock * Bands]);
            var block = _blocks[^1];
            var offset = _count % FramesPerBlock * Bands;
            for (var b = 0; b < Bands; b++)
            {
                var (first, weights) = _filters[b];
                double sum = 0;
                for (var k = 0; k < weights.Length; k++) sum += weights[k] * power[first + k];
                block[offset + b] = (Half)MathF.Log(MathF.Max((float)sum, Floor));
            }
            _count++;
        }

        public void Read(int frame, Span<float> destination)
        {
            if ((uint)frame >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(frame));
            var block = _blocks[frame / FramesPerBlock];
            var offset = frame % FramesPerBlock * Bands;
            for (var b = 0; b < Bands; b++) destination[b] = (float)block[offset + b];
        }

        private static (int, float[])[] KaldiFilters(int bands)
        {
            var binHz = AudioDecoder.SampleRate / (double)FftSize;
            var (melLow, melHigh) = (Mel(LowHz), Mel(AudioDecoder.SampleRate / 2.0));
            var delta = (melHigh - melLow) / (bands + 1);
            var filters = new (int, float[])[bands];
            for (var b = 0; b < bands; b++)
            {
                var (left, centre, right) = (melLow + b * delta, melLow + (b + 1) * delta, melLow + (b + 2) * delta);
                var weights = new float[FftSize / 2];
                for (var k = 0; k < weights.Length; k++)
                {
                    var mel = Mel(k * binHz);
                    weights[k] = (float)Math.Max(0, Math.Min((mel - left) / (centre - left), (right - mel) / (right - centre)));
                }
                // Keep only the triangle's non-zero stretch, as the cepstral filters do.
                var first = Array.FindIndex(weights, w => w > 0);
                var last = Array.FindLastIndex(weights, w => w > 0);
                filters[b] = first < 0 ? (0, []) : (first, weights[first..(last + 1)]);
            }
            return filters;
        }
    }
}
