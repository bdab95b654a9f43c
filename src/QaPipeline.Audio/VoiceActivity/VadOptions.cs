namespace QaPipeline.Audio.VoiceActivity;

/// <summary>
/// Hysteresis that turns Silero's per-window speech probabilities into segments; the defaults are the ones of the
/// reference implementation (snakers4/silero-vad <c>get_speech_timestamps</c>).
/// </summary>
public sealed record VadOptions
{
    /// <summary>A window at or above this probability starts (or continues) speech.</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>Speech ends only after probabilities fall below this; null means Threshold − 0.15 (at least 0.01),
    /// the reference's rule, so that a probability wobbling around the threshold does not chop a word.</summary>
    public float? NegThreshold { get; init; }

    /// <summary>Shorter blips (clicks, a cough) are dropped.</summary>
    public int MinSpeechMs { get; init; } = 250;

    /// <summary>A pause must last this long to end a segment.</summary>
    public int MinSilenceMs { get; init; } = 100;

    /// <summary>Added on both sides of each segment (halved between segments closer than twice this), because
    /// the model's decision lags the first and last phonemes slightly.</summary>
    public int SpeechPadMs { get; init; } = 30;

    public float EffectiveNegThreshold => NegThreshold ?? Math.Max(Threshold - 0.15f, 0.01f);
}
