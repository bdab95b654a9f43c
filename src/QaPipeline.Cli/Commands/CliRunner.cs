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
        // A mistyped option or a bad value is bad input like any other: one line, exit 2 (not the help page).
        if (parse.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            Console.Error.WriteLine($"qa: error: {OneLine(error.Message)} (see {CommandPath(root, args)} --help)");
            return 2;
        }
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

    private static string CommandPath(Command root, string[] args)
    {
        var path = new List<string> { "qa" };
        Command current = root;
        foreach (var a in args)
        {
            var sub = current.Subcommands.FirstOrDefault(c => c.Name == a);
            if (sub is null) break;
            path.Add(a);
            current = sub;
        }
        return string.Join(' ', path);
    }

    public static string OneLine(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"\s+", " ").Trim();
}

/// <summary>Input the user can fix: a missing file, a bad option value, an unreadable recording.</summary>
public sealed class UserInputException(string message) : Exception(message);
