using System.Text.Json;
using System.Text.Json.Serialization;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring;

/// <summary>
/// The domain's words as every document, table and page spells them: the enum name in lower case (<c>pass</c>,
/// <c>fail</c>, <c>na</c>, <c>review</c>; <c>agent</c>, <c>customer</c>, <c>mixed</c>; <c>whisper</c>, <c>imported</c>).
/// Code compares the enums; the words appear only where text leaves or enters (JSON, SQL rows, HTML).
/// </summary>
public static class DomainWords
{
    public static string Word(this Verdict verdict) => Lower(verdict);

    public static string Word(this SpeakerRole role) => Lower(role);

    public static string Word(this TranscriptSource source) => Lower(source);

    /// <summary>A stored or submitted verdict word; null for anything else (a number included).</summary>
    public static Verdict? ParseVerdict(string? word) => Parse<Verdict>(word);

    public static SpeakerRole? ParseSpeaker(string? word) => Parse<SpeakerRole>(word);

    private static T? Parse<T>(string? word) where T : struct, Enum =>
        word is not null && !int.TryParse(word, out _) && Enum.TryParse<T>(word, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value : null;

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>Writes and reads a domain enum as its word in JSON (for API view models that carry the typed value).</summary>
public sealed class DomainWordConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
