using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Pipeline.Tests.Recordings;

[Collection(EngineCollection.Name)]
public sealed class WatchFolderTests(EngineFixture engines)
{
    [Fact]
    public async Task A_recording_is_ingested_only_after_it_stops_changing_and_then_moves_out_of_the_inbox()
    {
        var dir = TestCalls.TempDir("qa-watch");
        var inbox = Path.Combine(dir, "inbox");
        var services = new ServiceCollection().AddLogging().AddPipeline(TestCalls.Options(engines.NewDatabase("sqlite"), dir), workers: false)
            .BuildServiceProvider();
        var watch = new WatchFolderIngestion(inbox, services.GetRequiredService<CallIngestor>(), services.GetRequiredService<QueueSweeper>(),
            TimeProvider.System, NullLogger<WatchFolderIngestion>.Instance) { StableFor = TimeSpan.FromSeconds(3) };
        var calls = services.GetRequiredService<CallRepository>();
        var t0 = DateTime.UtcNow;

        // The platform is still writing: the first half of the file, with its sidecars.
        var wav = TestCalls.WriteCall(inbox, "call", 1);
        var full = await File.ReadAllBytesAsync(wav);
        await File.WriteAllBytesAsync(wav, full[..(full.Length / 2)]);
        Assert.Equal(0, await watch.ScanOnce(t0, CancellationToken.None));
        Assert.Equal(0, await watch.ScanOnce(t0.AddSeconds(1), CancellationToken.None)); // unchanged, but not for long enough
        Assert.Empty(await calls.List(null, 10));

        await File.WriteAllBytesAsync(wav, full); // the rest arrives: size changes, the clock restarts
        Assert.Equal(0, await watch.ScanOnce(t0.AddSeconds(11), CancellationToken.None));
        Assert.Equal(0, await watch.ScanOnce(t0.AddSeconds(12), CancellationToken.None));
        Assert.Equal(1, await watch.ScanOnce(t0.AddSeconds(15), CancellationToken.None));

        var call = Assert.Single(await calls.List(null, 10));
        Assert.Equal(full.Length, call.SizeBytes);
        Assert.Equal("A01", call.AgentId);
        Assert.Equal(["call.json", "call.transcript.txt", "call.wav"],
            Directory.GetFiles(Path.Combine(inbox, "ingested")).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFiles(inbox));
    }

    [Fact]
    public async Task A_refused_file_moves_to_rejected_with_its_reason()
    {
        var dir = TestCalls.TempDir("qa-watch");
        var inbox = Path.Combine(dir, "inbox");
        Directory.CreateDirectory(inbox);
        var services = new ServiceCollection().AddLogging().AddPipeline(TestCalls.Options(engines.NewDatabase("sqlite"), dir), workers: false)
            .BuildServiceProvider();
        var watch = new WatchFolderIngestion(inbox, services.GetRequiredService<CallIngestor>(), services.GetRequiredService<QueueSweeper>(),
            TimeProvider.System, NullLogger<WatchFolderIngestion>.Instance) { StableFor = TimeSpan.Zero };
        await File.WriteAllTextAsync(Path.Combine(inbox, "notes.mp3"), "this is not audio");
        var t0 = DateTime.UtcNow;
        await watch.ScanOnce(t0, CancellationToken.None);
        Assert.Equal(0, await watch.ScanOnce(t0.AddSeconds(1), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(inbox, "rejected", "notes.mp3")));
        Assert.StartsWith("not an audio recording", await File.ReadAllTextAsync(Path.Combine(inbox, "rejected", "notes.mp3.reason")));
        Assert.Empty(await services.GetRequiredService<CallRepository>().List(null, 10));
    }
}
