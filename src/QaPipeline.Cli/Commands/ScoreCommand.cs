using System.CommandLine;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using Spectre.Console;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa score</c>: one call to a scorecard on stdout, or a folder of transcripts to JSON Lines.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var rubricOpt = new Option<FileInfo>("--rubric") { Description = "Rubric YAML file", Required = true };
        var transcriptOpt = new Option<FileInfo?>("--transcript") { Description = "Transcript (product JSON or 坐席：/客户： text)" };
        var acousticsOpt = new Option<FileInfo?>("--acoustics") { Description = "Acoustic facts JSON from `qa analyze` (optional)" };
        var dirOpt = new Option<DirectoryInfo?>("--transcripts") { Description = "Batch: a folder of transcripts (*.json, *.txt)" };
        var outOpt = new Option<FileInfo?>("--out") { Description = "Batch: JSON Lines output file" };
        var indentOpt = new Option<bool>("--indent") { Description = "Pretty-print the scorecard" };
        var cmd = new Command("score", "Score a call (or a folder of calls) against a rubric")
            { rubricOpt, transcriptOpt, acousticsOpt, dirOpt, outOpt, indentOpt };
        cmd.SetAction(p =>
        {
            var rubric = CliFiles.Rubric(p.GetValue(rubricOpt)!);
            var single = p.GetValue(transcriptOpt);
            var dir = p.GetValue(dirOpt);
            if ((single is null) == (dir is null))
                throw new UserInputException("give either --transcript FILE or --transcripts DIR --out FILE.jsonl");
            if (single is not null)
            {
                var card = Scorer.Score(rubric, CliFiles.Transcript(single), CliFiles.Acoustics(p.GetValue(acousticsOpt)));
                Console.Out.WriteLine(ScorecardJson.Write(card, p.GetValue(indentOpt)));
                return 0;
            }
            var output = p.GetValue(outOpt) ?? throw new UserInputException("batch scoring needs --out FILE.jsonl");
            return Batch(rubric, dir!, output);
        });
        return cmd;
    }

    /// <summary>Scores every transcript in the folder. A bad file gets an error line in the output (and on
    /// stderr) and the batch goes on: one broken transcript must not cost the rest. Exit 1 if any failed.</summary>
    private static int Batch(Rubric rubric, DirectoryInfo dir, FileInfo output)
    {
        if (!dir.Exists) throw new UserInputException($"transcript folder not found: {dir.FullName}");
        var files = dir.EnumerateFiles("*.json").Concat(dir.EnumerateFiles("*.txt"))
            .Where(f => !f.Name.EndsWith(".acoustics.json", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new UserInputException($"no *.json or *.txt transcripts in {dir.FullName}");
        output.Directory?.Create();
        var tmp = output.FullName + ".partial";
        int failed = 0, flagged = 0;
        using (var writer = new StreamWriter(tmp, false, new System.Text.UTF8Encoding(false)))
        {
            void ScoreAll(Action tick)
            {
                foreach (var f in files)
                {
                    var callId = Path.GetFileNameWithoutExtension(f.Name);
                    try
                    {
                        // A sibling CALL.acoustics.json (from `qa analyze`) feeds the acoustic rules.
                        var facts = new FileInfo(Path.Combine(f.DirectoryName!, callId + ".acoustics.json"));
                        var card = Scorer.Score(rubric, CliFiles.Transcript(f), CliFiles.Acoustics(facts.Exists ? facts : null));
                        if (card.Fatal || !card.Passed || card.Flags.Contains("needs_review")) flagged++;
                        writer.WriteLine(ScorecardJson.Write(card, callId: callId));
                    }
                    catch (Exception e) when (e is UserInputException or FormatException)
                    {
                        failed++;
                        Console.Error.WriteLine($"qa: error: {CliRunner.OneLine(e.Message)}");
                        writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { call_id = callId, error = CliRunner.OneLine(e.Message) }));
                    }
                    tick();
                }
            }
            if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                console.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("scoring", maxValue: files.Count);
                    ScoreAll(() => task.Increment(1));
                });
            }
            else
            {
                var done = 0;
                ScoreAll(() =>
                {
                    if (++done % 500 == 0 || done == files.Count) Console.Error.WriteLine($"scored {done}/{files.Count}");
                });
            }
        }
        File.Move(tmp, output.FullName, overwrite: true);
        Console.Error.WriteLine($"qa: scored {files.Count - failed} of {files.Count} calls ({flagged} flagged for review, {failed} failed) -> {output.FullName}");
        return failed > 0 ? 1 : 0;
    }
}
