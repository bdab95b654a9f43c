using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QaPipeline.Audio.Wav;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.Bench.Seeding;

using QaPipeline.TestSupport;

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

    /// <summary>The running app's services, for tests that drive a pipeline stage directly.</summary>
    public IServiceProvider Services => _app!.Services;

    /// <summary>The rubric files in force now (the admin's choice, through the options monitor).</summary>
    public RubricSelection Rubric => Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<RubricSelection>>().CurrentValue;

    /// <summary>The app's QA_API_KEY (machines upload with it).</summary>
    public const string ApiKey = "web-tests-key-2b9d";

    public static string RepoRoot => QaPipeline.TestSupport.RepositoryPaths.Root;

    public async Task InitializeAsync()
    {
        // The app's own copy of the rules folder: publishing a rubric or routing table from a test writes there, never into
        // the repository's scoring-rules/ that other test apps (and projects) running at the same time read.
        var rules = Directory.CreateDirectory(Path.Combine(_dir.FullName, "scoring-rules")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot, "scoring-rules"), "*.yaml"))
            File.Copy(file, Path.Combine(rules, Path.GetFileName(file)));
        Options = new PipelineOptions
        {
            Engine = _engine,
            StorePath = Path.Combine(_dir.FullName, "store"),
            RubricPath = Path.Combine(rules, "zh-CN.yaml"),
            AnalyzeAudio = false,
            ApiKey = ApiKey,
        };
        Configure(Options);
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

    /// <summary>Adds a call the way ingest, transcribe and (when <paramref name="score"/>) score and flag do: the recording in
    /// the store, the transcript, the scorecard of the active rubric and its review flags. For tests that change a call
    /// (claim, dispute, review) without touching the seed's calls other tests read.</summary>
    public async Task<long> AddCall(string name, byte[] wav, QaPipeline.Scoring.Transcripts.Transcript transcript, string agent = "A01", string team = "一组", bool score = true)
    {
        var store = Services.GetRequiredService<QaPipeline.Centre.Recordings.RecordingStore>();
        var calls = Services.GetRequiredService<CallRepository>();
        var results = Services.GetRequiredService<ResultRepository>();
        var stored = await store.Store(new MemoryStream(wav));
        var (id, _) = await calls.Insert(stored.ContentHash, stored.RelativePath, name + ".wav", stored.SizeBytes,
            new CallMetadata(name, agent, team, "billing", "inbound", new DateTime(2026, 3, 20, 9, 0, 0, DateTimeKind.Utc)), DateTime.UtcNow);
        var t = transcript with { CallId = name };
        await results.SaveTranscript(id, "whisper", "zh", 0.9, QaPipeline.Scoring.Transcripts.TranscriptFormat.ToJson(t), DateTime.UtcNow);
        if (!score) return id;
        var scoring = Services.GetRequiredService<QaPipeline.Pipeline.Stages.IRubricScoring>();
        var rubric = scoring.Load(Options.RubricPath);
        var scored = scoring.Score(rubric, t, null);
        await results.AddScorecard(id, rubric.Id, rubric.Version, rubric.Hash, scored.Score, scored.MaxScore, scored.Fatal, scored.Json, DateTime.UtcNow);
        await Services.GetRequiredService<QaPipeline.Pipeline.Stages.CallStages>().FlagScorecard((await calls.Get(id))!, (await results.CurrentScorecard(id))!, default);
        await calls.MarkScored(id);
        await Services.GetRequiredService<QaPipeline.Web.Calls.ScorecardItemProjection>().CatchUp(10_000);
        return id;
    }

    /// <summary>A seed dialogue (samples/, by file name without extension) as a new call with a silent recording of its length.</summary>
    public Task<long> AddSampleCall(string name, string agent = "A01", string team = "一组", string dialogue = "call-001-good")
    {
        var (_, transcript) = DemoSeed.Dialogues(Path.Combine(RepoRoot, "samples")).Single(d => d.Name == dialogue);
        var seconds = transcript.Segments.Max(s => s.End) ?? 60;
        // The store keeps one copy per content: a different first sample makes each test's call its own.
        var wav = SilentWav(seconds + 1, firstSample: (short)(name.GetHashCode() | 1));
        return AddCall(name, wav, transcript, agent, team);
    }

    /// <summary>8 kHz mono 16-bit PCM of silence (but for the first sample, when given).</summary>
    public static byte[] SilentWav(double seconds, short firstSample = 0)
    {
        var pcm = new byte[(int)(seconds * 8000) * 2];
        BitConverter.TryWriteBytes(pcm, firstSample);
        return PcmWav.FromPcm16(8000, 1, pcm);
    }

    /// <summary>A subclass's own settings, applied after the app's.</summary>
    protected virtual void Configure(IServiceCollection services) { }

    protected virtual void Configure(PipelineOptions options) { }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _postgres?.Dispose();
        try { _dir.Delete(true); } catch (IOException) { }
    }

    /// <summary>Errors the app logged (unhandled exceptions of requests), for assertion messages.</summary>
    public List<string> Errors { get; } = [];

    public long UserId(string login) => People.UserIds[login];

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

    /// <summary>A signed-in client that sends the anti-forgery token with every API POST.</summary>
    public async Task<HttpClient> ApiClient(string login)
    {
        var client = await Client(login);
        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await CsrfToken(client));
        return client;
    }

    /// <summary>The JSON of a successful answer; a failed one fails the test with its status and body.</summary>
    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
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
