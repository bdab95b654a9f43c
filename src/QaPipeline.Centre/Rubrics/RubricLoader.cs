using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Centre.Rubrics;

/// <summary>
/// Reads a rubric from disk: the one place a rubric file becomes a <see cref="Rubric"/> with everything it names
/// outside itself. The scoring core parses text only (no I/O); the learned second-opinion model a rubric names
/// (<c>opinion: opinions/zh-CN.v1.json</c>, relative to the rubric file) is read here and attached.
/// </summary>
public static class RubricLoader
{
    /// <summary>Parses <paramref name="bytes"/> (the file at <paramref name="path"/>) and attaches its opinion model.
    /// The model is an optional safeguard on top of complete phrase rules: a rubric copied away from its opinions/
    /// folder (a candidate the rubric editor dry-runs from a temporary file) scores with the phrase rules alone, and
    /// <c>qa rules validate</c> says so. A model file that is there but unreadable is an error naming it.</summary>
    public static Rubric Parse(byte[] bytes, string path)
    {
        var rubric = RubricParser.Parse(bytes, path);
        if (OpinionPath(rubric, path) is not { } full || !File.Exists(full)) return rubric;
        return rubric with { Opinion = LineOpinion.Parse(File.ReadAllText(full), full) };
    }

    /// <summary>Where the rubric's named opinion model is looked for; null when it names none.</summary>
    public static string? OpinionPath(Rubric rubric, string path) =>
        rubric.OpinionFile is { } relative
            ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", relative))
            : null;
}
