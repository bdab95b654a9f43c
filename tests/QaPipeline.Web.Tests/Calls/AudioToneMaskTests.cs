using System.Net;
using QaPipeline.Audio.Wav;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Personal numbers in the audio: a trainer or agent hears a tone where the transcript places a card, ID or mobile
/// number and the untouched recording everywhere else; a monitor hears the original. The recording is noise (so any
/// change shows), the transcript has word times like Whisper's.
/// </summary>
[Collection("web")]
public sealed class AudioToneMaskTests(WebApp app)
{
    internal const int Rate = 8000;

    internal static byte[] NoiseWav(double seconds)
    {
        var random = new Random(13);
        var samples = new short[(int)(seconds * Rate)];
        for (var i = 0; i < samples.Length; i++) samples[i] = (short)random.Next(-8000, 8000);
        return PcmWav.FromPcm16(Rate, 1, System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.AsSpan()));
    }

    private Task<long> CallWith(byte[] wav, Transcript transcript, string name) => app.AddCall(name, wav, transcript);

    internal static TranscriptToken T(string text, double start, double end) => new(text, start, end, 0.9);

    internal static short[] Samples(byte[] wav)
    {
        var parsed = PcmRecording.Parse(wav) ?? throw new InvalidOperationException("not a 16-bit PCM WAV");
        Assert.Equal(Rate, parsed.SampleRate);
        return parsed.Samples;
    }

    /// <summary>Share of a stretch's energy at the tone's frequency (Goertzel): ~1 for the tone, ~0 for noise.</summary>
    internal static double ToneShare(short[] s, int from, int to)
    {
        double w = 2 * Math.PI * PcmRecording.ToneHz / Rate, s1 = 0, s2 = 0, energy = 0;
        for (var i = from; i < to; i++)
        {
            var s0 = s[i] + 2 * Math.Cos(w) * s1 - s2;
            s2 = s1; s1 = s0;
            energy += (double)s[i] * s[i];
        }
        var power = s1 * s1 + s2 * s2 - 2 * Math.Cos(w) * s1 * s2;
        return energy == 0 ? 0 : 2 * power / ((to - from) * energy);
    }

    [Fact]
    public async Task A_trainer_hears_a_tone_exactly_over_a_spoken_card_number_and_the_original_everywhere_else()
    {
        var original = NoiseWav(10);
        // A UnionPay test number (Luhn-valid) spoken 3.2–5.6 s, and a mobile number read in Chinese numerals 7.0–8.8 s.
        var transcript = new Transcript([
            new TranscriptSegment(SpeakerRole.Agent, 0.5, 2.0, "请问您的卡号是多少", 0.9, [T("请问", 0.5, 0.9), T("您的", 0.9, 1.3), T("卡号", 1.3, 1.6), T("是多少", 1.6, 2.0)]),
            new TranscriptSegment(SpeakerRole.Customer, 2.4, 6.0, "卡号是6222021234567894", 0.9,
                [T("卡号", 2.4, 2.8), T("是", 2.8, 3.2), T("6222", 3.2, 3.8), T("0212", 3.8, 4.4), T("3456", 4.4, 5.0), T("7894", 5.0, 5.6)]),
            new TranscriptSegment(SpeakerRole.Customer, 6.4, 9.0, "手机幺三八一二三四五六七八", 0.9,
                [T("手机", 6.4, 7.0), T("幺三八", 7.0, 7.6), T("一二三四", 7.6, 8.2), T("五六七八", 8.2, 8.8)]),
        ], TranscriptSource.Whisper, "zh", DurationSeconds: 10);
        Assert.Equal(PersonalNumberKind.BankCard, PersonalDataMask.Find("6222021234567894").Single().Kind);
        var id = await CallWith(original, transcript, "tone-mask-card");

        var trainer = await app.Client("trainer1");
        var served = await trainer.GetAsync($"/calls/{id}/audio");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var heard = Samples(await served.Content.ReadAsByteArrayAsync());
        var source = Samples(original);
        Assert.Equal(source.Length, heard.Length);

        foreach (var (start, end) in new[] { (3.2, 5.6), (7.0, 8.8) })
        {
            // The changed samples around this number begin and end within 0.2 s of the number's word times ...
            int lo = (int)((start - 1.0) * Rate), hi = (int)((end + 1.0) * Rate);
            var changed = Enumerable.Range(lo, hi - lo).Where(i => heard[i] != source[i]).ToList();
            Assert.InRange(changed.First() / (double)Rate, start - 0.2, start + 0.2);
            Assert.InRange(changed.Last() / (double)Rate, end - 0.2, end + 0.2);
            // ... and what is there is the tone, not the speech.
            Assert.True(ToneShare(heard, (int)((start + 0.2) * Rate), (int)((end - 0.2) * Rate)) > 0.95);
            Assert.True(ToneShare(source, (int)((start + 0.2) * Rate), (int)((end - 0.2) * Rate)) < 0.05);
        }
        // Untouched elsewhere: every sample outside the two padded spans is the original.
        bool Inside(int i) => (i >= 3.0 * Rate && i < 5.8 * Rate) || (i >= 6.8 * Rate && i < 9.0 * Rate);
        Assert.All(Enumerable.Range(0, source.Length).Where(i => !Inside(i)), i => Assert.Equal(source[i], heard[i]));

        // The agent of the call hears the same masked audio; a monitor of the team hears the recording as stored.
        var agent = await app.Client("agent1");
        Assert.Equal(heard, Samples(await agent.GetByteArrayAsync($"/calls/{id}/audio")));
        var monitor = await app.Client("monitor1");
        Assert.Equal(original, await monitor.GetByteArrayAsync($"/calls/{id}/audio"));
    }

    [Fact]
    public async Task A_trainers_clip_is_toned_too_and_a_number_without_times_withholds_the_audio()
    {
        var original = NoiseWav(6);
        var timed = new Transcript([
            new TranscriptSegment(SpeakerRole.Customer, 1.0, 4.0, "身份证11010519491231002X", 0.9,
                [T("身份证", 1.0, 1.6), T("110105", 1.6, 2.4), T("19491231", 2.4, 3.3), T("002X", 3.3, 3.8)]),
        ], TranscriptSource.Whisper, "zh", DurationSeconds: 6);
        Assert.Equal(PersonalNumberKind.IdCard, PersonalDataMask.Find("11010519491231002X").Single().Kind);
        var id = await CallWith(original, timed, "tone-mask-clip");
        var trainer = await app.Client("trainer1");
        var zip = await trainer.GetAsync($"/calls/{id}/clip?start=1&end=5");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        using var archive = new System.IO.Compression.ZipArchive(await zip.Content.ReadAsStreamAsync());
        using var clipStream = new MemoryStream();
        await using (var s = archive.GetEntry("clip.wav")!.Open()) await s.CopyToAsync(clipStream);
        var clip = Samples(clipStream.ToArray());
        Assert.True(ToneShare(clip, (int)(0.8 * Rate), (int)(2.6 * Rate)) > 0.95, "1.6–3.8 s of the call (0.6–2.8 s of the clip) is toned");
        var transcriptText = new StreamReader(archive.GetEntry("transcript.txt")!.Open()).ReadToEnd();
        Assert.Contains("**************002X", transcriptText);

        // An untimed transcript with a number: the number cannot be placed, so a trainer gets no audio at all.
        var untimed = await CallWith(NoiseWav(3), new Transcript([new TranscriptSegment(SpeakerRole.Customer, null, null, "手机13812345678")]), "tone-mask-untimed");
        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.GetAsync($"/calls/{untimed}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.Client("monitor1")).GetAsync($"/calls/{untimed}/audio")).StatusCode);
    }
}
