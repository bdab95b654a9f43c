using QaPipeline.Audio.Decoding;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// Mel-frequency cepstral coefficients of one 16 kHz channel, computed as the audio streams past (25 ms frames every
/// 10 ms, the usual speaker-recognition front end). The mel bands span 100–3800 Hz only: a call recorded at 8 kHz
/// (G.711) carries nothing above ~3.4 kHz, and the same band on 16 kHz recordings keeps the features comparable, so
/// the separator behaves alike on both. Memory is 20 floats per 10 ms (a 3-hour call: ~86 MB), not the samples.
/// </summary>
public sealed partial class MelCepstrum
{
    public const int FrameSamples = 400;   // 25 ms
    public const int HopSamples = 160;     // 10 ms
    public const double FrameSeconds = HopSamples / (double)AudioDecoder.SampleRate;

    /// <summary>The centre of frame <paramref name="index"/>, in seconds from the start of the channel.</summary>
    public static double FrameTime(int index) => index * FrameSeconds + FrameSamples / 2.0 / AudioDecoder.SampleRate;

    /// <summary>Cepstral coefficients kept per frame (c1..c19; c0, the loudness, is kept apart as
    /// <see cref="LogEnergy"/> because loudness says more about the microphone than about the voice).</summary>
    public const int Coefficients = 19;

    private const int FftSize = 512;
    private const int Bands = 24;
    private const double LowHz = 100;
    private const double HighHz = 3800;

    private static readonly float[] Window = HammingWindow();
    private static readonly (int First, float[] Weights)[] Filters = MelFilters();
    private static readonly float[,] Dct = DctMatrix();

    private readonly List<float[]> _frames = [];
    private readonly List<float> _energy = [];
    private readonly float[] _buffer = new float[FrameSamples];
    private int _buffered;
    private float _previous; // last sample before the buffer, for pre-emphasis continuity

    // Scratch, reused per frame.
    private readonly float[] _fftIn = new float[FftSize];
    private readonly float[] _power = new float[FftSize / 2 + 1];
    private readonly float[] _mel = new float[Bands];
    private readonly RealFft _fft = new(FftSize);

    /// <summary>Cepstra of the frames so far; frame i covers samples [i·160, i·160 + 400).</summary>
    public IReadOnlyList<float[]> Frames => _frames;

    /// <summary>Log energy (natural log of the mean power) of each frame.</summary>
    public IReadOnlyList<float> LogEnergy => _energy;

    /// <summary>Cepstra of a whole channel held in memory.</summary>
    public static MelCepstrum Of(ReadOnlySpan<float> samples)
    {
        var cepstrum = new MelCepstrum();
        cepstrum.Push(samples);
        return cepstrum;
    }

    /// <summary>Feeds the next samples of the channel.</summary>
    public void Push(ReadOnlySpan<float> samples)
    {
        while (samples.Length > 0)
        {
            var take = Math.Min(FrameSamples - _buffered, samples.Length);
            samples[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            samples = samples[take..];
            if (_buffered < FrameSamples) break;
            ComputeFrame();
            // Frames overlap: keep the last 240 samples as the start of the next frame.
            _previous = _buffer[HopSamples - 1];
            Array.Copy(_buffer, HopSamples, _buffer, 0, FrameSamples - HopSamples);
            _buffered = FrameSamples - HopSamples;
        }
    }

    private void ComputeFrame()
    {
        // Pre-emphasis (0.97) lifts the upper formants that tell voices apart; then the Hamming window.
        var previous = _previous;
        double mean = 0;
        for (var i = 0; i < FrameSamples; i++) mean += _buffer[i];
        mean /= FrameSamples;
        for (var i = 0; i < FrameSamples; i++)
        {
            var x = _buffer[i] - mean;
            var emphasised = (float)(x - 0.97 * previous);
            previous = (float)x;
            _fftIn[i] = emphasised * Window[i];
        }
        Array.Clear(_fftIn, FrameSamples, FftSize - FrameSamples);
        _fft.PowerSpectrum(_fftIn, _power);
        _filterbank?.Add(_buffer);

        double energy = 0;
        for (var k = 0; k < _power.Length; k++) energy += _power[k];
        _energy.Add((float)Math.Log(energy / FftSize + 1e-10));

        for (var b = 0; b < Bands; b++)
        {
            var (first, weights) = Filters[b];
            double sum = 0;
            for (var k = 0; k < weights.Length; k++) sum += weights[k] * _power[first + k];
            _mel[b] = (float)Math.Log(sum + 1e-8);
        }
        var cepstra = new float[Coefficients];
        for (var c = 0; c < Coefficients; c++)
        {
            double sum = 0;
            for (var b = 0; b < Bands; b++) sum += Dct[c, b] * _mel[b];
            cepstra[c] = (float)sum;
        }
        _frames.Add(cepstra);
    }

    private static float[] HammingWindow()
    {
        var w = new float[FrameSamples];
        for (var i = 0; i < FrameSamples; i++) w[i] = (float)(0.54 - 0.46 * Math.Cos(2 * Math.PI * i / (FrameSamples - 1)));
        return w;
    }

    private static double Mel(double hz) => 1127.0 * Math.Log(1 + hz / 700.0);

    private static double Hz(double mel) => 700.0 * (Math.Exp(mel / 1127.0) - 1);

    /// <summary>Triangular filters equally spaced on the mel scale (HTK convention).</summary>
    private static (int, float[])[] MelFilters()
    {
        var edges = Enumerable.Range(0, Bands + 2)
            .Select(i => Hz(Mel(LowHz) + i * (Mel(HighHz) - Mel(LowHz)) / (Bands + 1)))
            .ToArray();
        var binHz = AudioDecoder.SampleRate / (double)FftSize;
        var filters = new (int, float[])[Bands];
        for (var b = 0; b < Bands; b++)
        {
            var (lo, centre, hi) = (edges[b], edges[b + 1], edges[b + 2]);
            var first = (int)Math.Ceiling(lo / binHz);
            var last = (int)Math.Floor(hi / binHz);
            var weights = new float[Math.Max(0, last - first + 1)];
            for (var k = first; k <= last; k++)
            {
                var f = k * binHz;
                weights[k - first] = (float)Math.Max(0, f <= centre ? (f - lo) / (centre - lo) : (hi - f) / (hi - centre));
            }
            filters[b] = (first, weights);
        }
        return filters;
    }

    /// <summary>DCT-II rows 1..19 (orthonormal scaling) over the log mel bands.</summary>
    private static float[,] DctMatrix()
    {
        var m = new float[Coefficients, Bands];
        for (var c = 0; c < Coefficients; c++)
            for (var b = 0; b < Bands; b++)
                m[c, b] = (float)(Math.Sqrt(2.0 / Bands) * Math.Cos(Math.PI * (c + 1) * (b + 0.5) / Bands));
        return m;
    }
}

/// <summary>Power spectrum of a real frame by an iterative radix-2 FFT (sizes a power of two); twiddles precomputed.
/// Small enough not to need a maths package for one transform.</summary>
internal sealed class RealFft
{
    private readonly int _n;
    private readonly int[] _bitReverse;
    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly double[] _re;
    private readonly double[] _im;

    public RealFft(int n)
    {
        if (n < 2 || (n & (n - 1)) != 0) throw new ArgumentException("FFT size must be a power of two", nameof(n));
        _n = n;
        _bitReverse = new int[n];
        var bits = (int)Math.Log2(n);
        for (var i = 0; i < n; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (var i = 0; i < n / 2; i++)
        {
            _cos[i] = Math.Cos(-2 * Math.PI * i / n);
            _sin[i] = Math.Sin(-2 * Math.PI * i / n);
        }
        _re = new double[n];
        _im = new double[n];
    }

    /// <summary>|X[k]|² for k = 0..n/2. Not thread-safe: scratch buffers are reused, so each stream owns one.</summary>
    public void PowerSpectrum(float[] input, float[] power)
    {
        {
            for (var i = 0; i < _n; i++)
            {
                _re[_bitReverse[i]] = input[i];
                _im[_bitReverse[i]] = 0;
            }
            for (var size = 2; size <= _n; size <<= 1)
            {
                var half = size >> 1;
                var step = _n / size;
                for (var start = 0; start < _n; start += size)
                {
                    for (var k = 0; k < half; k++)
                    {
                        var wr = _cos[k * step];
                        var wi = _sin[k * step];
                        var a = start + k;
                        var b = a + half;
                        var tr = wr * _re[b] - wi * _im[b];
                        var ti = wr * _im[b] + wi * _re[b];
                        _re[b] = _re[a] - tr;
                        _im[b] = _im[a] - ti;
                        _re[a] += tr;
                        _im[a] += ti;
                    }
                }
            }
            for (var k = 0; k <= _n / 2; k++) power[k] = (float)(_re[k] * _re[k] + _im[k] * _im[k]);
        }
    }
}
