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
