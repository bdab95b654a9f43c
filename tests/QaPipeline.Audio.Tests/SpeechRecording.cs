using System.Globalization;
using System.Text.Json;

namespace QaPipeline.Audio.Tests;

/// <summary>One recording of ../shared/speech as manifest.json describes it.</summary>
public sealed record SpeechRecording(string File, int SampleRate, int Channels, double DurationSeconds, string Encoding)
{
    public string FullPath => TestEnvironment.Speech(File);

    public override string ToString() => File;

    public static IReadOnlyList<SpeechRecording> All()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(TestEnvironment.SpeechDirectory, "manifest.json")));
        return doc.RootElement.EnumerateArray().Select(e => new SpeechRecording(
            e.GetProperty("file").GetString()!,
            int.Parse(e.GetProperty("sample_rate").GetString()!, CultureInfo.InvariantCulture),
            int.Parse(e.GetProperty("channels").GetString()!, CultureInfo.InvariantCulture),
            double.Parse(e.GetProperty("duration_s").GetString()!, CultureInfo.InvariantCulture),
            e.GetProperty("encoding").GetString()!)).ToList();
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var r in All()) data.Add(r.File);
        return data;
    }
}
