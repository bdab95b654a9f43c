using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Pipeline.Routing;

/// <summary>
/// Reads a rubric from disk: the one place a rubric file becomes a <see cref="Rubric"/> with everything it names
/// outside itself. The scoring core parses text only (no I/O); the learned second-opinion model a rubric names
/// (<c>opinion: opinions/zh-CN.v1.json</c>, relative to the rubric file) is read here and attached.
/// </summary>
public static class RubricFile
{
    /// <summary>Parses <paramref name="bytes"/> (the file at <paramref name="path"/>) and attaches its opinion model.
    /// A named model that is missing or unreadable is a <see cref="FormatException"/> naming both files: a rubric
    /// must not silently score without the review safeguard it asks for.</summary>
    public static Rubric Parse(byte[] bytes, string path)
    {
        var rubric = RubricParser.Parse(bytes, path);
        if (rubric.OpinionFile is not { } relative) return rubric;
        var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", relative));
        if (!File.Exists(full))
            throw new FormatException($"{path}: the opinion model '{relative}' it names was not found ({full})");
        return rubric with { Opinion = LineOpinion.Parse(File.ReadAllText(full), full) };
    }
}
