using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa rules validate FILE...</c> and <c>qa rules test</c>: tools for rubric authors.</summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var rules = new Command("rules", "Rubric authoring: validate rubric files, test phrase rules on sample lines");
        rules.Subcommands.Add(Validate());
        rules.Subcommands.Add(Test());
        return rules;
    }

    private static Command Validate()
    {
        var files = new Argument<FileInfo[]>("file") { Description = "Rubric YAML file(s), or routing.yaml", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("validate", "Load and validate rubric files and the routing table; errors name the file, line and field") { files };
        cmd.SetAction(p =>
        {
            foreach (var file in p.GetValue(files)!)
            {
                if (!RubricLibrary.IsRubricFile(file.FullName) && file.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
                {
                    // A routing table is checked against the rubrics beside it, as the pipeline loads it.
                    var library = RubricLibrary.ForFolder(file.DirectoryName ?? ".");
                    var ids = library.RubricIds();
                    var routing = RoutingParser.Parse(CliFiles.Read(file, "routing"), file.ToString(), ids);
                    Console.WriteLine($"ok: {file} — {routing.Rules.Count} rules, default {routing.DefaultRubricId} " +
                                      $"(rubrics beside it: {string.Join(", ", ids)})");
                    foreach (var rule in routing.Rules)
                        Console.WriteLine($"  {rule.Name}: {string.Join(" and ", rule.When.Select(c => $"{c.Key} {string.Join("|", c.Value)}"))} → {rule.RubricId}");
                    continue;
                }
                var rubric = CliFiles.Rubric(file);
                Console.WriteLine($"ok: {file} — {rubric.Id} version {rubric.Version}, {rubric.Categories.Count} categories, " +
                                  $"{rubric.Items.Count} items ({rubric.Items.Count(i => i.Fatal)} fatal), {rubric.Knowledge.Count} knowledge topics" +
                                  (rubric.Opinion is { } o ? $", second opinion {o.Version} ({o.ItemIds.Count} items, trained on {o.TrainedOn})"
                                      : rubric.OpinionFile is { } missing ? $", second opinion {missing} not found beside it (phrase rules alone)" : ""));
            }
            return 0;
        });
        return cmd;
    }

    private static Command Test()
    {
        var rubricOpt = new Option<FileInfo>("--rubric") { Description = "Rubric YAML file", Required = true };
        var inputOpt = new Option<FileInfo>("--input") { Description = "UTF-8 text, one utterance per line", Required = true };
        var roleOpt = new Option<string>("--role") { Description = "Who speaks the lines", DefaultValueFactory = _ => "agent" };
        roleOpt.AcceptOnlyFromAmong("agent", "customer");
        var cmd = new Command("test", "Print, for each line, the rubric items whose phrase rules match it (JSON Lines)") { rubricOpt, inputOpt, roleOpt };
        cmd.SetAction(p =>
        {
            var rubric = CliFiles.Rubric(p.GetValue(rubricOpt)!);
            var input = p.GetValue(inputOpt)!;
            string text;
            try
            {
                text = new System.Text.UTF8Encoding(false, true).GetString(CliFiles.Read(input, "input")).TrimStart('\uFEFF');
            }
            catch (System.Text.DecoderFallbackException)
            {
                throw new UserInputException($"{input}: not valid UTF-8 text");
            }
            var role = p.GetValue(roleOpt) == "customer" ? SpeakerRole.Customer : SpeakerRole.Agent;
            var lines = text.Split('\n');
            var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
            // Chinese text stays readable on the author's terminal.
            var contract = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<RuleTestLine>)new JsonSerializerOptions(RulesJsonContext.Default.Options)
                { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }.GetTypeInfo(typeof(RuleTestLine));
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = false };
            for (var i = 0; i < count; i++)
            {
                var line = lines[i].TrimEnd('\r');
                stdout.WriteLine(JsonSerializer.Serialize(new RuleTestLine(i + 1, line, Scorer.MatchLine(rubric, line, role)), contract));
            }
            return 0;
        });
        return cmd;
    }
}

/// <summary>One line of <c>qa rules test</c> (../shared/docs/cli-contract.md): <c>{"line":1,"text":"...","items":[...]}</c>.</summary>
internal sealed record RuleTestLine(int Line, string Text, IReadOnlyList<string> Items);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RuleTestLine))]
internal sealed partial class RulesJsonContext : JsonSerializerContext;
