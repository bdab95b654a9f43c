namespace QaPipeline.Audio.VoiceActivity;

/// <summary>A stretch of speech found by the voice-activity model, in seconds from the start of the recording.</summary>
public readonly record struct SpeechSegment(double Start, double End)
{
    public double Duration => End - Start;
}
