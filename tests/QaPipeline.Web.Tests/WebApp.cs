using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Seeding;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The real web app — the composition of <c>qa serve</c> (AddPipeline + AddWebApp, MapWebApp then MapPipeline) —
/// on a free 127.0.0.1 port over a seeded database: the demo centre of <see cref="DemoSeed"/> (users, teams, calls
/// scored by the scoring core, flagged by the pipeline's flag policy).
/// </summary>
public class WebApp : IAsyncLifetime
{
    private readonly DatabaseEngine _engine;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qa-web-tests-");
    private LocalPostgres? _postgres;
    private WebApplication? _app;

    public WebApp() : this(DatabaseEngine.Sqlite) { }
    protected WebApp(DatabaseEngine engine) => _engine = engine;

    public string BaseUrl { get; private set; } = "";
    public PipelineOptions Options { get; private set; } = new();
    public Database Db { get; private set; } = null!;
    public SeededPeople People { get; private set; } = null!;

    public static string RepoRoot => QaPipeline.TestSupport.RepositoryPaths.Root;

    public async Task InitializeAsync()
    {
        Options = new PipelineOptions
        {
            Engine = _engine,
            StorePath = Path.Combine(_dir.FullName, "store"),
            RubricPath = Path.Combine(RepoRoot, "scoring-rules", "zh-CN.yaml"),
            AnalyzeAudio = false,
        };
        if (_engine == DatabaseEngine.Postgres)
        {
            _postgres = LocalPostgres.Start();
            Options.ConnectionString = _postgres.CreateDatabase("qa_web_tests");
        }
        else Options.ConnectionString = Path.Combine(_dir.FullName, "qa.db");
        People = await DemoSeed.Run(Options, Path.Combine(RepoRoot, "samples"), copies: 2);
        Db = new Database(Options.Engine, Options.ConnectionString);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _dir.FullName, EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new ErrorLog(Errors));
        builder.Services.AddPipeline(Options, workers: false);
        builder.Services.AddWebApp();
        // Every test signs in from 127.0.0.1: the per-address throttle would otherwise stop the suite (its own tests
        // lower it again, see SignInThrottleTests).
        builder.Services.Configure<QaPipeline.Web.Access.SignInThrottleOptions>(o => o.AttemptsPerAddress = 100_000);
        Configure(builder.Services);
        _app = builder.Build();
        _app.MapWebApp();
        _app.MapPipeline();
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
    }

    /// <summary>A subclass's own settings, applied after the app's.</summary>
    protected virtual void Configure(IServiceCollection services) { }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _postgres?.Dispose();
        try { _dir.Delete(true); } catch (IOException) { }
    }

    /// <summary>Errors the app logged (unhandled exceptions of requests), for assertion messages.</summary>
    public List<string> Errors { get; } = [];

    public long UserId(string login) => People.UserIds[login];

    /// <summary>The running app's services (the pipeline's repositories and store), for tests that add their own calls.</summary>
    public IServiceProvider Services => _app!.Services;

    /// <summary>A call of the seed, picked by a SQL condition on the calls table (alias c).</summary>
    public Task<long> CallWhere(string condition, object? args = null) =>
        Db.Run(c => c.ExecuteScalarAsync<long>($"SELECT MIN(c.id) FROM calls c WHERE {condition}", args));

    /// <summary>An HTTP client signed in as <paramref name="login"/> (cookie auth), or anonymous when null.</summary>
    public async Task<HttpClient> Client(string? login)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };
        if (login is null) return client;
        var response = await client.PostAsync("/api/v1/session", Json(new { login, password = DemoSeed.Password }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    /// <summary>The anti-forgery token a signed-in client must send with its API POSTs.</summary>
    public static async Task<string> CsrfToken(HttpClient client)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/v1/session"));
        return doc.RootElement.GetProperty("csrf_token").GetString()!;
    }

    public static StringContent Json(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>The same app on PostgreSQL (a private cluster started by the pipeline's LocalPostgres).</summary>
public sealed class PostgresWebApp() : WebApp(DatabaseEngine.Postgres);

[CollectionDefinition("web")]
public sealed class WebCollection : ICollectionFixture<WebApp>, ICollectionFixture<BrowserFixture>;

/// <summary>Keeps the app's error log lines so a failing test can say what the server saw.</summary>
internal sealed class ErrorLog(List<string> errors) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(errors);
    public void Dispose() { }

    private sealed class Logger(List<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (errors) errors.Add(formatter(state, exception) + " " + exception);
        }
    }
}
