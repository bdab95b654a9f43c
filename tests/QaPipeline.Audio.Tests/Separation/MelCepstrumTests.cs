using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Separation;

namespace QaPipeline.Audio.Tests.Separation;

/// <summary>The log-mel filterbank a speaker-embedding model is fed, beside the cepstra the built-in separator uses.</summary>
public class MelCepstrumTests
{
    [Fact]
    public void Keeping_the_filterbank_leaves_the_cepstra_exactly_as_before()
    {
        var samples = new AudioDecoder().DecodeToMemory(TestEnvironment.Speech("en/ljspeech_LJ001-0002.wav")).Channels[0];

        var plain = MelCepstrum.Of(samples);
        var both = MelCepstrum.Of(samples, SpeakerEmbeddingModel.FeatureBands);

        Assert.Equal(0, plain.FilterbankBands);
        Assert.Throws<InvalidOperationException>(() => plain.LogMel(0, new float[80]));
        Assert.Equal(plain.Frames.Count, both.Frames.Count);
        for (var i = 0; i < plain.Frames.Count; i++) Assert.Equal(plain.Frames[i], both.Frames[i]);
        Assert.Equal(plain.LogEnergy, both.LogEnergy);
    }

    /// <summary>
    /// The streamed filterbank against a direct computation of Kaldi's fbank as <c>torchaudio.compliance.kaldi.fbank</c>
    /// does it for WeSpeaker (no dither, DC removed, pre-emphasis 0.97 within the frame, Hamming window, 512-point
    /// power spectrum by a plain DFT, 80 mel triangles 20 Hz–8 kHz, natural log), on real speech.
    /// </summary>
    [Fact]
    public void The_filterbank_matches_a_direct_kaldi_fbank_on_real_speech()
    {
        var samples = new AudioDecoder().DecodeToMemory(TestEnvironment.Speech("en/ljspeech_LJ001-0002.wav")).Channels[0];
        var cepstrum = MelCepstrum.Of(samples, 80);
        var banks = KaldiMelBanks();

        var differences = new List<double>();
        var streamed = new float[80];
        for (var frame = 0; frame < cepstrum.Frames.Count; frame += 7)
        {
            cepstrum.LogMel(frame, streamed);
            var direct = DirectFbank(samples.AsSpan(frame * 160, 400), banks);
            if (direct.Average() < Math.Log(1e-6)) continue; // silence: both sit near the floor
            for (var b = 0; b < 80; b++) differences.Add(Math.Abs(streamed[b] - direct[b]));
        }

        // Equal up to the 16-bit storage (a log energy of magnitude ≤ 16 rounds by at most 2^-8 ≈ 0.004).
        Assert.True(differences.Count > 1000);
        Assert.True(differences.Max() < 0.005, $"largest difference {differences.Max():0.0000}");
    }

    private static double[] DirectFbank(ReadOnlySpan<float> raw, double[,] banks)
    {
        var x = new double[400];
        var mean = 0.0;
        foreach (var s in raw) mean += s / 400.0;
        for (var j = 0; j < 400; j++) x[j] = raw[j] - mean;
        for (var j = 399; j > 0; j--) x[j] -= 0.97 * x[j - 1];
        x[0] -= 0.97 * x[0];
        for (var j = 0; j < 400; j++) x[j] *= 0.54 - 0.46 * Math.Cos(2 * Math.PI * j / 399);
        var power = new double[256];
        for (var k = 0; k < 256; k++)
        {
            double re = 0, im = 0;
            for (var j = 0; j < 400; j++)
            {
                re += x[j] * Math.Cos(2 * Math.PI * k * j / 512);
                im -= x[j] * Math.Sin(2 * Math.PI * k * j / 512);
            }
            power[k] = re * re + im * im;
        }
        var result = new double[80];
        for (var b = 0; b < 80; b++)
        {
            double e = 0;
            for (var k = 0; k < 256; k++) e += banks[b, k] * power[k];
            result[b] = Math.Log(Math.Max(e, 1e-30));
        }
        return result;
    }

    /// <summary>torchaudio's get_mel_banks: triangles in mel space, left/centre/right = low + (b, b+1, b+2)·Δ.</summary>
    private static double[,] KaldiMelBanks()
    {
        static double Mel(double hz) => 1127 * Math.Log(1 + hz / 700);
        var (low, high) = (Mel(20), Mel(8000));
        var delta = (high - low) / 81;
        var banks = new double[80, 256];
        for (var b = 0; b < 80; b++)
            for (var k = 0; k < 256; k++)
            {
                var mel = Mel(k * 16000.0 / 512);
                var up = (mel - (low + b * delta)) / delta;
                var down = (low + (b + 2) * delta - mel) / delta;
                banks[b, k] = Math.Max(0, Math.Min(up, down));
            }
        return banks;
    }

    /// <summary>Kaldi's 80 bands span 20 Hz to 8 kHz on the mel scale: a 1 kHz tone peaks in the band centred
    /// nearest 1 kHz (band 27: centres mel(20) + (b + 1)·Δ, Δ = (mel(8000) − mel(20)) / 81), and a 4 kHz one higher up.</summary>
    [Theory]
    [InlineData(1000.0, 27)]
    [InlineData(4000.0, 60)]
    public void A_tone_peaks_in_the_filterbank_band_around_its_frequency(double hz, int band)
    {
        var tone = Enumerable.Range(0, AudioDecoder.SampleRate).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / AudioDecoder.SampleRate))).ToArray();

        var cepstrum = MelCepstrum.Of(tone, 80);

        var frame = new float[80];
        cepstrum.LogMel(cepstrum.Frames.Count / 2, frame);
        Assert.InRange(Array.IndexOf(frame, frame.Max()), band - 1, band + 1);
    }
}
