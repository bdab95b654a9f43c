using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Web;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa serve</c>: web host (upload API, admin-only Hangfire dashboard) with in-process workers,
/// settings from QA_* variables.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var demo = new Option<bool>("--demo") { Description = "Generate and ingest the sample calls in samples/ first" };
        var cmd = new Command("serve", "Run the web host with the pipeline workers") { urls, demo };
        cmd.SetAction(p =>
        {
            var options = PipelineCli.Options();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.WebHost.UseUrls(p.GetValue(urls)!);
            LogToStderr(builder.Logging);
            builder.Services.AddPipeline(options, workers: true);
            builder.Services.AddWebApp();
            var app = builder.Build();
            app.MapWebApp(); // sign-in, the viewer's roles and authorisation, then the endpoints' policies decide (CallerAccess)
            app.MapPipeline();
            if (p.GetValue(demo))
                SampleCalls.Ingest(app.Services.MigrateDatabase().GetRequiredService<CallIngestor>());
            var url = p.GetValue(urls)!.Split(';')[0].TrimEnd('/');
            Console.Error.WriteLine($"qa: serving on {url} — jobs dashboard {url}/hangfire, calls {url}/api/calls, status {url}/api/pipeline/status");
            app.Run();
            return 0;
        });
        return cmd;
    }

    /// <summary>stdout is for JSON only: every log line goes to stderr.</summary>
    public static void LogToStderr(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Hangfire", LogLevel.Warning);
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
