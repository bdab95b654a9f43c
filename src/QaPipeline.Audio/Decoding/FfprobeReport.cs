using System.Globalization;
using System.Text.Json;
using QaPipeline.Scoring.Contracts;
using System.Text.Json.Serialization;

namespace QaPipeline.Audio.Decoding;

/// <summary>
/// What <see cref="AudioDecoder"/> asks ffprobe for (<c>-show_entries stream=codec_name,channels,sample_rate,duration:
/// format=format_name,duration -of json</c>): only those fields are declared, the rest (e.g. "programs") is ignored.
/// ffprobe writes sample rates and durations as JSON strings ("16000", "4.620000"), so they are read as text and parsed
/// invariantly; a field ffprobe could not tell is left out of its output and stays null here.
/// </summary>
internal sealed record FfprobeReport(IReadOnlyList<FfprobeStream?>? Streams, FfprobeFormat? Format)
{
    /// <summary>Reads ffprobe's output; output that is not this JSON is one line naming the recording.</summary>
    public static FfprobeReport Read(string json, string path)
    {
        try
        {
            return ContractJson.Read(json, FfprobeJsonContext.Default.FfprobeReport, $"{path}: ffprobe's report is not the JSON asked for",
                whenNull: $"{path}: ffprobe printed no report");
        }
        catch (FormatException e)
        {
            throw new AudioDecodingException(e.Message);
        }
    }

    /// <summary>A number ffprobe writes as text; null when absent or not a number.</summary>
    public static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}

internal sealed record FfprobeStream(string? CodecName, int? Channels, string? SampleRate, string? Duration);

internal sealed record FfprobeFormat(string? FormatName, string? Duration);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict, MaxDepth = 16)]
[JsonSerializable(typeof(FfprobeReport))]
internal sealed partial class FfprobeJsonContext : JsonSerializerContext;
