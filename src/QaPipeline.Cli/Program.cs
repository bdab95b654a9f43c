using System.CommandLine;
using QaPipeline.Cli.Commands;

// Each stage contributes its commands from its own file under Commands/. `qa bench` and `qa web seed` are the
// bench tool's (bench/QaPipeline.Bench), which the qa launcher runs.
var root = new RootCommand("QaPipeline: speech-analytics quality assurance for call centres");
root.Subcommands.Add(RulesCommand.Create());
root.Subcommands.Add(ScoreCommand.Create());
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(CallsCommand.Create());
root.Subcommands.Add(RescoreCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
root.Subcommands.Add(RunSamplesCommand.Create());
root.Subcommands.Add(AnalyzeCommand.Create());
root.Subcommands.Add(CalibrationCommand.Create());
root.Subcommands.Add(TranscribeCommand.Create());
return CliRunner.Run(root, args);
