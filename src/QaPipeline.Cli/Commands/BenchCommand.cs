using System.CommandLine;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa bench ...</c>: speed is measured and printed, never asserted in unit tests.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("bench", "Measure the speed of pipeline stages and print the figures");
        cmd.Subcommands.Add(AcousticsBenchCommand.Create());
        return cmd;
    }
}
