using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Audio.Wav;
using QaPipeline.Centre;
using QaPipeline.Centre.Access;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;
using Xunit;

namespace QaPipeline.Pipeline.TestSupport;

/// <summary>Recordings, transcripts, folders and test nodes for the pipeline's tests, in process and as qa processes.</summary>
public static class TestCalls
{
    public static string RepoRoot => QaPipeline.TestSupport.RepositoryPaths.Root;

    public static string Rubric => Path.Combine(RepoRoot, "scoring-rules", "zh-CN.yaml");

    /// <summary>A real 16 kHz 16-bit stereo PCM WAV; <paramref name="seed"/> makes its bytes (and hash) unique.</summary>
    public static byte[] Wav(int seed, double seconds = 1.0)
    {
        const int rate = 16000, channels = 2;
        var frames = (int)(rate * seconds);
        var data = new byte[frames * channels * 2];
        var random = new Random(seed);
        for (var i = 0; i < frames; i++)
        {
            var left = (short)(3000 * Math.Sin(2 * Math.PI * (200 + seed % 500) * i / rate) + random.Next(-200, 200));
            var right = (short)random.Next(-200, 200);
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), left);
            BitConverter.TryWriteBytes(data.AsSpan(i * 4 + 2), right);
        }
        return PcmWav.FromPcm16(rate, channels, data);
    }

    /// <summary>A courteous call that passes the greeting, closing and farewell items.</summary>
    public const string GoodDialogue = """
        坐席：您好，欢迎致电客服中心，我是工号1023号客服，请问有什么可以帮您？
        客户：你好，我想查一下我的订单到哪了。
        坐席：好的，请您稍等，我帮您查询一下。
        坐席：感谢您的耐心等待，您的订单已经发货，预计明天送达。
        客户：好的，谢谢。
        坐席：请问还有什么可以帮您？
        客户：没有了。
        坐席：感谢您的来电，祝您生活愉快，再见。
        """;

    /// <summary>A rude call with insults: fatal on the default rubric.</summary>
    public const string RudeDialogue = """
        坐席：喂。
        客户：我买的东西坏了，能不能退货？
        坐席：不归我管，你烦不烦。
        客户：你怎么这样说话？
        坐席：爱买不买，神经病。
        """;

    /// <summary>Writes NAME.wav (+ NAME.transcript.txt and NAME.json when given) into a folder.</summary>
    public static string WriteCall(string folder, string name, int seed, string? dialogue = GoodDialogue, string? agent = "A01",
        double seconds = 1.0)
    {
        Directory.CreateDirectory(folder);
        var wav = Path.Combine(folder, name + ".wav");
        File.WriteAllBytes(wav, Wav(seed, seconds));
        if (dialogue is not null) File.WriteAllText(Path.Combine(folder, name + ".transcript.txt"), dialogue, Encoding.UTF8);
        if (agent is not null)
            File.WriteAllText(Path.Combine(folder, name + ".json"),
                $$"""{"call_id": "C-{{seed}}", "agent_id": "{{agent}}", "team": "T1", "queue": "orders", "direction": "inbound", "start_time": "2026-03-02T09:00:00+08:00"}""");
        return wav;
    }

    /// <summary>Where the store will put a file: ab/cd/HASH.wav.</summary>
    public static string StorePathOf(string wav)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wav)));
        return Path.Combine(hash[..2], hash[2..4], hash + ".wav");
    }

    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Options for a test node: its own store, the given database, no audio tool (the audio stage
    /// is not part of this branch), fast sweeps.</summary>
    public static PipelineOptions Options(Database db, string dataDir) => new()
    {
        Engine = db.Engine,
        ConnectionString = db.ConnectionString,
        StorePath = Path.Combine(dataDir, "store"),
        RubricPath = Rubric,
        AnalyzeAudio = false,
        WorkerCount = 4,
        SweepInterval = TimeSpan.FromMilliseconds(200),
        StoreMinFreeBytes = 0,
        VadModel = VadModel,
    };

    /// <summary>Silero VAD for the audio stage: the checkout's models/ link (setup.sh) or the shared model folder.</summary>
    public static string VadModel
    {
        get
        {
            var linked = Path.Combine(RepoRoot, "models", "silero_vad.onnx");
            return File.Exists(linked) ? linked : Path.Combine(QaPipeline.TestSupport.RepositoryPaths.Shared, "models", "silero_vad.onnx");
        }
    }

    /// <summary>Starts an in-process node (sweeper + Hangfire workers) and returns it running.</summary>
    public static async Task<IHost> StartNode(PipelineOptions options, Action<IServiceCollection>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        overrides?.Invoke(builder.Services);
        builder.Services.AddPipeline(options, workers: true);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The QA_API_KEY of the nodes <see cref="Serve"/> starts.</summary>
    public const string ApiKey = "pipeline-tests-key-6c1e";

    /// <summary>Starts a node with its HTTP endpoints and no web app — the pipeline alone, where machines call with the
    /// API key — on a free loopback port (Kestrel), and a client that sends the node's key when it has one.</summary>
    public static async Task<(WebApplication App, HttpClient Http)> Serve(PipelineOptions options, bool workers)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPipeline(options, workers);
        builder.Services.AddCallerAccess();
        var app = builder.Build();
        app.MapPipeline();
        await app.StartAsync();
        var http = Client(app);
        if (options.ApiKey is { } key) http.DefaultRequestHeaders.Add(CallerAccess.ApiKeyHeader, key);
        return (app, http);
    }

    /// <summary>A client of a started node that sends no credentials.</summary>
    public static HttpClient Client(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

    /// <summary>Ingests a written call (with its sidecar metadata and transcript) through a running node's ingestor.</summary>
    public static async Task<IngestResult> IngestFile(IServiceProvider services, string wav)
    {
        await using var audio = File.OpenRead(wav);
        return await services.GetRequiredService<CallIngestor>().Ingest(new IngestRequest(audio, Path.GetFileName(wav),
            Sidecars.Metadata(wav, null), Sidecars.Transcript(wav), "test"));
    }

    /// <summary>Three scored calls: two courteous (agents A01, A02) and one rude (A01), on the given database.</summary>
    public static async Task<(string Dir, long[] Ids)> ScoredCentre(Database db)
    {
        var dir = TempDir("qa-export");
        using var node = await StartNode(Options(db, dir));
        var input = Path.Combine(dir, "in");
        var ids = new[]
        {
            (await IngestFile(node.Services, WriteCall(input, "good1", 11))).CallId,
            (await IngestFile(node.Services, WriteCall(input, "rude", 12, RudeDialogue))).CallId,
            (await IngestFile(node.Services, WriteCall(input, "good2", 13, agent: "A02"))).CallId,
        };
        var counts = await WaitForIdle(node.Services.GetRequiredService<CallRepository>(), TimeSpan.FromSeconds(120));
        Assert.Equal(3, counts.GetValueOrDefault(CallStatus.Scored));
        await node.StopAsync();
        return (dir, ids);
    }

    /// <summary>Waits until no call is pending or processing.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> WaitForIdle(CallRepository calls, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var counts = await calls.CountByStatus();
            if (counts.GetValueOrDefault(CallStatus.Pending) + counts.GetValueOrDefault(CallStatus.Processing) == 0 && counts.Count > 0)
                return counts;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"calls still in progress after {limit}: {string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}"))}");
            await Task.Delay(100);
        }
    }
}
