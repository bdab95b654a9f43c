using System.CommandLine;

namespace QaPipeline.Cli.Commands;

public static class ScoreCommand
{
    public static Command Create()
    {
        var transcript = new Option<FileInfo>("--transcript") { Description = "Transcript file" };
        var cmd = new Command("score", "Score one call") { transcript };
        cmd.SetAction(p => { Console.WriteLine(p.GetValue(transcript)?.FullName); return 0; });
        return cmd;
    }
}
