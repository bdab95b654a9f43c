using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Cli.Commands;

public static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Recordings or folders of recordings", Arity = ArgumentArity.OneOrMore };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "CSV manifest: file,call_id,agent_id,team,queue,direction,start_time,customer_number" };
        var cmd = new Command("ingest", "Store recordings and queue them for processing (prints one JSON line per file)") { paths, manifest };
        cmd.SetAction(p =>
        {
            var options = PipelineCli.Options();
            using var services = PipelineCli.Services(options);
            var manifestFile = p.GetValue(manifest);
            if (manifestFile is { Exists: false }) throw new FileNotFoundException($"manifest not found: {manifestFile.FullName}");
            var (_, rejected) = PipelineCli.IngestPaths(services.GetRequiredService<CallIngestor>(), p.GetValue(paths)!, manifestFile?.FullName,
                PipelineCli.Print, CancellationToken.None).GetAwaiter().GetResult();
            return rejected > 0 ? 2 : 0;
        });
        return cmd;
    }
}
