using System.CommandLine;
using Microsoft.Extensions.Hosting;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa worker</c>: pipeline workers only, for extra nodes sharing the database and the recording store.</summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var cmd = new Command("worker", "Run pipeline workers only (QA_QUEUES picks the queues, e.g. asr for an ASR node)");
        cmd.SetAction(_ =>
        {
            var options = PipelineCli.Options();
            var builder = Host.CreateApplicationBuilder();
            ServeCommand.LogToStderr(builder.Logging);
            builder.Services.AddPipeline(options, workers: true);
            Console.Error.WriteLine($"qa: worker on queues {string.Join(",", options.Queues)} with {options.WorkerCount} threads ({options.Engine})");
            builder.Build().Run();
            return 0;
        });
        return cmd;
    }

}
