using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Cli.Commands;

/// <summary>Reads the files the commands take, turning every failure into a one-line user error.</summary>
public static class CliFiles
{
    public static byte[] Read(FileInfo file, string what)
    {
        if (!file.Exists) throw new UserInputException($"{what} file not found: {file.FullName}");
        try
        {
            return File.ReadAllBytes(file.FullName);
        }
        catch (IOException e)
        {
            throw new UserInputException($"cannot read {what} file {file.FullName}: {e.Message}");
        }
    }

    /// <summary>The shared data folder beside every checkout (../shared: corpora, speech clips, models), found
    /// from the working directory upwards; QA_SHARED_DIR overrides it.</summary>
    public static string SharedFolder()
    {
        if (PipelineCli.Variables().SharedDir is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(candidate)) return candidate;
            candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new UserInputException("shared data folder not found (expected ../shared beside the checkout; set QA_SHARED_DIR)");
    }

    public static Rubric Rubric(FileInfo file) => QaPipeline.Centre.Rubrics.RubricLoader.Parse(Read(file, "rubric"), file.ToString());

    public static Transcript Transcript(FileInfo file)
    {
        try
        {
            return TranscriptFormat.Parse(Read(file, "transcript"));
        }
        catch (FormatException e)
        {
            throw new UserInputException($"{file}: {e.Message}");
        }
    }

    public static AcousticFacts? Acoustics(FileInfo? file)
    {
        if (file is null) return null;
        try
        {
            return AcousticFactsJson.Parse(System.Text.Encoding.UTF8.GetString(Read(file, "acoustic facts")));
        }
        catch (FormatException e)
        {
            throw new UserInputException($"{file}: {e.Message}");
        }
    }
}
