using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Contracts;

/// <summary>
/// The JSON documents the core reads and writes (the CLI contract's scorecard, transcript and acoustic facts, which the
/// pipeline also stores, and the learned line-opinion model file): System.Text.Json contracts, source-generated,
/// snake_case, numbers only as JSON numbers (a number in quotes is refused). Each document's reader maps its contract
/// onto the domain records and keeps the checks the format needs, every failure a <see cref="FormatException"/> of one line.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    MaxDepth = ContractJson.MaxDepth)]
[JsonSerializable(typeof(ScorecardDocument))]
[JsonSerializable(typeof(TranscriptDocument))]
[JsonSerializable(typeof(AcousticFactsDocument))]
[JsonSerializable(typeof(LineOpinionDocument))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;

public static class ContractJson
{
    /// <summary>Deeper than any of the documents; a deeper one is not ours (and is refused before it costs anything).</summary>
    public const int MaxDepth = 16;

    private static readonly JsonSerializerOptions[] Writers =
    [
        Options(indented: false, relaxed: false), Options(indented: true, relaxed: false),
        Options(indented: false, relaxed: true), Options(indented: true, relaxed: true),
    ];

    private static JsonSerializerOptions Options(bool indented, bool relaxed) => new(ScoringJsonContext.Default.Options)
    {
        WriteIndented = indented,
        // The scorecard and transcript keep Chinese text readable; the acoustic facts have always escaped non-ASCII.
        Encoder = relaxed ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : null,
    };

    internal static string Write<T>(T document, bool indented, bool relaxed) =>
        JsonSerializer.Serialize(document, (JsonTypeInfo<T>)Writers[(indented ? 1 : 0) + (relaxed ? 2 : 0)].GetTypeInfo(typeof(T)));

    /// <summary>Reads a JSON document into its source-generated contract: the one way the project turns JSON it was given
    /// into records. Malformed JSON or a value of the wrong type becomes one line starting with <paramref name="malformed"/>
    /// (the reader's message, which names the path), or <paramref name="onPath"/>'s own message for the path where the
    /// reader stopped; a document that is JSON null becomes <paramref name="whenNull"/> (default: "malformed (null)").
    /// Every failure is a <see cref="FormatException"/>; callers with their own exception type wrap its message.</summary>
    public static T Read<T>(string json, JsonTypeInfo<T> contract, string malformed, Func<string, string?>? onPath = null,
        string? whenNull = null) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, contract) ?? throw new FormatException(whenNull ?? $"{malformed} (null)");
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Path is { } path && onPath?.Invoke(path) is { } message
                ? message
                : $"{malformed} ({e.Message.Split('\n')[0].Trim()})");
        }
    }

    internal static JsonTypeInfo<ScorecardDocument> Scorecard => ScoringJsonContext.Default.ScorecardDocument;
    internal static JsonTypeInfo<TranscriptDocument> Transcript => ScoringJsonContext.Default.TranscriptDocument;
    internal static JsonTypeInfo<AcousticFactsDocument> AcousticFacts => ScoringJsonContext.Default.AcousticFactsDocument;
    internal static JsonTypeInfo<LineOpinionDocument> OpinionModel => ScoringJsonContext.Default.LineOpinionDocument;
}
