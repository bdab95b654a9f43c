using System.CommandLine;
using QaPipeline.Bench.Commands;
using QaPipeline.Cli.Commands;

// `./qa bench ...` and `./qa web seed` land here (the qa launcher routes them): benchmarks that print their figures,
// and the demonstration centre. Kept out of the qa CLI so the product ships no bench or demo code.
var root = new RootCommand("QaPipeline benchmarks and demo data");
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(WebCommand.Create());
root.Subcommands.Add(LabelsCommand.Create());
return CliRunner.Run(root, args);
