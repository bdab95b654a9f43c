namespace QaPipeline.Audio.VoiceActivity;

/// <summary>
/// Online version of the reference hysteresis (snakers4/silero-vad <c>get_speech_timestamps</c>, without the
/// max-speech split): fed one probability per 512-sample window, it keeps only the segments found so far, so a
/// 3-hour channel needs no array of probabilities.
/// </summary>
public sealed class SpeechSegmenter(VadOptions options, int sampleRate = SileroVad.SampleRate)
{
    private readonly long _minSpeech = sampleRate * options.MinSpeechMs / 1000;
    private readonly long _minSilence = sampleRate * options.MinSilenceMs / 1000;
    private readonly long _pad = sampleRate * options.SpeechPadMs / 1000;
    private readonly float _threshold = options.Threshold;
    private readonly float _negThreshold = options.EffectiveNegThreshold;
    private readonly List<(long Start, long End)> _segments = [];
    private long _window;
    private bool _triggered;
    private long _start;
    private long _tempEnd;

    /// <summary>Windows pushed so far.</summary>
    public long Windows => _window;

    public void Push(float probability)
    {
        var sample = _window++ * SileroVad.WindowSamples;
        if (probability >= _threshold && _tempEnd != 0) _tempEnd = 0;
        if (probability >= _threshold && !_triggered)
        {
            _triggered = true;
            _start = sample;
            return;
        }
        if (probability < _negThreshold && _triggered)
        {
            if (_tempEnd == 0) _tempEnd = sample;
            if (sample - _tempEnd < _minSilence) return;
            if (_tempEnd - _start > _minSpeech) _segments.Add((_start, _tempEnd));
            _triggered = false;
            _tempEnd = 0;
        }
    }

    /// <summary>Closes an open segment at the end of the audio and applies the speech padding.</summary>
    public IReadOnlyList<SpeechSegment> Finish(long totalSamples)
    {
        var speeches = new List<(long Start, long End)>(_segments);
        if (_triggered && totalSamples - _start > _minSpeech) speeches.Add((_start, totalSamples));
        for (var i = 0; i < speeches.Count; i++)
        {
            var (start, end) = speeches[i];
            if (i == 0) start = Math.Max(0, start - _pad);
            if (i < speeches.Count - 1)
            {
                var gap = speeches[i + 1].Start - end;
                if (gap < 2 * _pad)
                {
                    end += gap / 2;
                    speeches[i + 1] = (Math.Max(0, speeches[i + 1].Start - gap / 2), speeches[i + 1].End);
                }
                else
                {
                    end = Math.Min(totalSamples, end + _pad);
                    speeches[i + 1] = (Math.Max(0, speeches[i + 1].Start - _pad), speeches[i + 1].End);
                }
            }
            else
            {
                end = Math.Min(totalSamples, end + _pad);
            }
            speeches[i] = (start, end);
        }
        return speeches.Select(s => new SpeechSegment(s.Start / (double)sampleRate, s.End / (double)sampleRate)).ToList();
    }
}
