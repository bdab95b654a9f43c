using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.Web;
using QaPipeline.Bench.Seeding;
using QaPipeline.Cli.Commands;

using QaPipeline.TestSupport;

namespace QaPipeline.Bench.Commands;

/// <summary><c>qa web seed</c>: the demonstration centre (users, teams, scored calls) in QA_DB.
/// <c>qa bench web</c>: review queue and call page latency with 100,000 scored calls, SQLite and PostgreSQL.</summary>
public static class WebCommand
{
    public static Command Create()
    {
        var copies = new Option<int>("--copies") { Description = "How many times each sample dialogue becomes a call", DefaultValueFactory = _ => 2 };
        var samples = new Option<DirectoryInfo>("--samples") { Description = "The samples folder", DefaultValueFactory = _ => new DirectoryInfo("samples") };
        var bulk = new Option<int>("--bench-calls") { Description = "Also add this many generated scored calls (as qa bench web does)", DefaultValueFactory = _ => 0 };
        var seed = new Command("seed", $"Create demo users (password {DemoSeed.Password}), teams and scored calls in QA_DB") { copies, samples, bulk };
        seed.SetAction(p =>
        {
            var options = PipelineCli.Options();
            var dir = p.GetValue(samples)!;
            if (!dir.Exists) throw new UserInputException($"no samples folder at {dir.FullName}");
            var people = DemoSeed.Run(options, dir.FullName, Math.Max(1, p.GetValue(copies))).GetAwaiter().GetResult();
            if (p.GetValue(bulk) > 0) BenchCalls.Add(new Database(options.Engine, options.ConnectionString), p.GetValue(bulk)).GetAwaiter().GetResult();
            PipelineCli.Print(new { users = people.UserIds.Keys, calls = people.CallIds.Count, password = DemoSeed.Password });
            return 0;
        });
        return new Command("web", "The web app's data tools") { seed };
    }

    public static Command Bench()
    {
        var calls = new Option<int>("--calls") { Description = "Scored calls in the database", DefaultValueFactory = _ => 100_000 };
        var engine = new Option<string>("--engine") { Description = "sqlite, postgres or both", DefaultValueFactory = _ => "both" };
        var requests = new Option<int>("--requests") { Description = "Requests per page measured", DefaultValueFactory = _ => 200 };
        var cmd = new Command("web", "Review queue and call page latency (p50/p95) with N scored calls") { calls, engine, requests };
        cmd.SetAction(p =>
        {
            var which = p.GetValue(engine)!.ToLowerInvariant();
            if (which is not ("sqlite" or "postgres" or "both")) throw new UserInputException("--engine must be sqlite, postgres or both");
            if (which is "sqlite" or "both") Run(DatabaseEngine.Sqlite, p.GetValue(calls), p.GetValue(requests)).GetAwaiter().GetResult();
            if (which is "postgres" or "both") Run(DatabaseEngine.Postgres, p.GetValue(calls), p.GetValue(requests)).GetAwaiter().GetResult();
            return 0;
        });
        return cmd;
    }

    private static async Task Run(DatabaseEngine engine, int count, int requests)
    {
        var dir = Directory.CreateTempSubdirectory("qa-bench-web-");
        LocalPostgres? pg = null;
        try
        {
            var sw = Stopwatch.StartNew();
            var options = await BenchCalls.SeedCentre(engine, dir.FullName, "bench_web", count, started => pg = started);
            // The longest texts the limits allow, in the data the pages show (the queue page once weighed 14 MB with them).
            await BenchCalls.AddLongTexts(new Database(options.Engine, options.ConnectionString), 300);
            Console.Error.WriteLine($"bench web ({engine}): {count} calls generated in {sw.Elapsed.TotalSeconds:0.0} s");

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            ServeCommand.LogToStderr(builder.Logging);
            builder.Services.AddPipeline(options, workers: false);
            builder.Services.AddWebApp();
            await using var app = builder.Build();
            app.MapWebApp();
            app.MapPipeline();
            await app.StartAsync();
            var url = app.Urls.First();
            var results = new List<object>();
            foreach (var (login, pages) in new[]
                     {
                         ("monitor1", new[] { "/queue", "/queue?band=0-60", "/api/v1/queue", "/queue?order=likely_wrong", "/api/v1/queue?order=likely_wrong", "/calls/{id}",
                             "/queue?tab=all", "/queue?tab=all&q=AG25", "/queue?callReason=logistics" }),
                         ("admin", new[] { "/queue", "/queue?reason=fatal", "/queue?order=likely_wrong", "/calls/{id}", "/queue?tab=all", "/queue?tab=all&q=BENCH-4242", "/queue?tab=all&q=4242",
                             "/queue?callReason=logistics" }),
                     })
            {
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
                var signIn = await http.PostAsync("/api/v1/session", JsonContent(new { login, password = DemoSeed.Password }));
                signIn.EnsureSuccessStatusCode();
                // Call pages of calls this viewer may open: flagged calls from its own queue.
                var queue = JsonDocument.Parse(await http.GetStringAsync("/api/v1/queue"));
                var ids = queue.RootElement.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetInt64()).ToList();
                foreach (var page in pages)
                {
                    var random = new Random(1);
                    string Path() => page.Replace("{id}", ids[random.Next(ids.Count)].ToString());
                    for (var i = 0; i < 20; i++) (await http.GetAsync(Path())).EnsureSuccessStatusCode(); // warm-up
                    var times = new List<double>();
                    var bytes = 0L;
                    for (var i = 0; i < requests; i++)
                    {
                        var t = Stopwatch.StartNew();
                        using var response = await http.GetAsync(Path());
                        bytes = Math.Max(bytes, (await response.Content.ReadAsByteArrayAsync()).Length);
                        times.Add(t.Elapsed.TotalMilliseconds);
                        response.EnsureSuccessStatusCode();
                    }
                    times.Sort();
                    results.Add(new
                    {
                        viewer = login, page, p50_ms = Math.Round(times[times.Count / 2], 1), p95_ms = Math.Round(times[(int)(times.Count * 0.95)], 1),
                        max_ms = Math.Round(times[^1], 1), max_kb = Math.Round(bytes / 1024.0, 1),
                    });
                }
            }
            await app.StopAsync();
            PipelineCli.Print(new { benchmark = "web", engine = engine.ToString().ToLowerInvariant(), calls = count, requests, target_p95_ms = 100, pages = results });
        }
        finally
        {
            pg?.Dispose();
            try { dir.Delete(true); } catch (IOException) { }
        }
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
