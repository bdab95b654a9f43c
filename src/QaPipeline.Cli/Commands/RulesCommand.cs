using System.CommandLine;

namespace QaPipeline.Cli.Commands;

public static class RulesCommand
{
    public static Command Create()
    {
        var rules = new Command("rules", "Rubric authoring: validate rubric files, test phrase rules");
        return rules;
    }
}
