using System.CommandLine;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// Runs the command line so that users see a one-line error and a non-zero exit, never a stack trace.
/// Bad input is reported as <see cref="UserInputException"/> or <see cref="FormatException"/> (exit 2);
/// anything else is a fault of ours (exit 70) and is still reported on one line.
/// </summary>
public static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is UserInputException or FormatException or FileNotFoundException
                                      or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"qa: error: {OneLine(e.Message)}");
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"qa: internal error: {OneLine(e.Message)} ({e.GetType().Name})");
            return 70;
        }
    }

    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>Input the user can fix: a missing file, a bad option value, an unreadable recording.</summary>
public sealed class UserInputException(string message) : Exception(message);
