using System.IO.Compression;
using System.Text;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Storage;
using QaPipeline.Pipeline.Ingest;

namespace QaPipeline.Pipeline.Tests.Recordings;

[Collection(EngineCollection.Name)]
public sealed class IngestionTests(EngineFixture engines)
{
    private sealed record Rig(CallIngestor Ingestor, CallRepository Calls, ResultRepository Results, RecordingStore Store, string Dir);

    private Rig Build(string engine, long maxBytes = 64 * 1024 * 1024, long minFree = 0)
    {
        var db = engines.NewDatabase(engine);
        var dir = TestCalls.TempDir("qa-ingest");
        var store = new RecordingStore(Path.Combine(dir, "store"), maxBytes, minFree);
        var calls = new CallRepository(db);
        var results = new ResultRepository(db);
        return new Rig(new CallIngestor(store, calls, results, new AuditLog(db), TimeProvider.System), calls, results, store, dir);
    }

    private static Task<IngestResult> Ingest(Rig rig, byte[] bytes, string name, byte[]? transcript = null) =>
        rig.Ingestor.Ingest(new IngestRequest(new MemoryStream(bytes), name, new CallMetadata(AgentId: "A01"), transcript, "test"));

    /// <summary>Every file under the test folder except the stored originals: must stay empty after a rejection.</summary>
    private static string[] StrayFiles(Rig rig) =>
        Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".wav", StringComparison.Ordinal)).ToArray();

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Same_recording_under_two_names_is_one_call(string engine)
    {
        var rig = Build(engine);
        var wav = TestCalls.Wav(1);
        var first = await Ingest(rig, wav, "a.wav");
        var second = await Ingest(rig, wav, "renamed-copy.wav");
        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Single(await rig.Calls.List(null, 10));
        Assert.Single(Directory.EnumerateFiles(rig.Store.Root, "*.wav", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    [SqlServerData]
    public async Task Original_is_stored_read_only_and_unchanged_under_its_content_hash(string engine)
    {
        var rig = Build(engine);
        var wav = TestCalls.Wav(2);
        var result = await Ingest(rig, wav, "call.wav", Encoding.UTF8.GetBytes(TestCalls.GoodDialogue));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wav));
        Assert.Equal(hash, result.ContentHash);
        var path = rig.Store.FullPath(result.StorePath);
        Assert.Equal(Path.Combine(rig.Store.Root, hash[..2], hash[2..4], hash + ".wav"), path);
        Assert.Equal(wav, await File.ReadAllBytesAsync(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        var transcript = await rig.Results.Transcript(result.CallId);
        Assert.Equal("imported", transcript!.Source);
        Assert.Contains("\"source\":\"imported\"", transcript.Json);
        Assert.Contains("欢迎致电客服中心", transcript.Json);
        Assert.Equal("succeeded", (await rig.Calls.Stages(result.CallId)).Single(s => s.Stage == Stage.Ingest).State);
    }

    [Theory]
    [InlineData("../../etc/passwd.wav")]
    [InlineData("..\\..\\windows\\evil.wav")]
    [InlineData("/etc/cron.d/evil.wav")]
    [InlineData("sub/dir.wav")]
    [InlineData("nul\0byte.wav")]
    public async Task Path_traversal_names_are_rejected_and_nothing_is_written(string name)
    {
        var rig = Build("sqlite");
        var e = await Assert.ThrowsAsync<RecordingRejectedException>(() => Ingest(rig, TestCalls.Wav(3), name));
        Assert.Contains("not a plain file name", e.Message);
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories));
        Assert.Empty(await rig.Calls.List(null, 10));
    }

    [Fact]
    public async Task Recording_over_the_size_limit_is_cut_off_and_rejected()
    {
        var rig = Build("sqlite", maxBytes: 100_000);
        var e = await Assert.ThrowsAsync<RecordingRejectedException>(() => Ingest(rig, TestCalls.Wav(4, seconds: 2), "long.wav"));
        Assert.Equal(413, e.HttpStatus);
        Assert.Contains("larger than the limit of 100,000 bytes", e.Message);
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Zip_bomb_and_other_archives_are_refused_without_being_opened()
    {
        var rig = Build("sqlite");
        // 200 MB of zeros compress to ~200 KB: refused by its header, never inflated.
        var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        await using (var entry = zip.CreateEntry("call.wav", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 200; i++) entry.Write(zeros);
        }
        var e = await Assert.ThrowsAsync<RecordingRejectedException>(() => Ingest(rig, bomb.ToArray(), "calls.wav"));
        Assert.Equal("archives are not accepted (zip); upload the recording itself", e.Message);
        var gz = new MemoryStream();
        await using (var g = new GZipStream(gz, CompressionLevel.SmallestSize, leaveOpen: true)) g.Write(TestCalls.Wav(5));
        Assert.Contains("(gzip)", (await Assert.ThrowsAsync<RecordingRejectedException>(() => Ingest(rig, gz.ToArray(), "call.wav.gz"))).Message);
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("#!/bin/sh\nrm -rf /\n")]
    [InlineData("<html><script>alert(1)</script></html>")]
    [InlineData("\u007fELF\u0002\u0001\u0001")]
    public async Task Files_that_are_not_audio_are_rejected(string content)
    {
        var rig = Build("sqlite");
        var e = await Assert.ThrowsAsync<RecordingRejectedException>(() => Ingest(rig, Encoding.UTF8.GetBytes(content), "call.wav"));
        Assert.StartsWith("not an audio recording", e.Message);
        Assert.Equal(415, e.HttpStatus);
        Assert.Empty(StrayFiles(rig));
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*.wav", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_malformed_sidecar_transcript_rejects_the_call_before_anything_is_stored()
    {
        var rig = Build("sqlite");
        var e = await Assert.ThrowsAsync<RecordingRejectedException>(() =>
            Ingest(rig, TestCalls.Wav(6), "call.wav", Encoding.UTF8.GetBytes("{\"segments\": [{\"speaker\": \"robot\"}]}")));
        Assert.StartsWith("call.wav: sidecar transcript: transcript segments[0].speaker", e.Message);
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_full_store_refuses_new_recordings_with_a_readable_reason()
    {
        var rig = Build("sqlite", minFree: long.MaxValue);
        var e = await Assert.ThrowsAsync<StoreFullException>(() => Ingest(rig, TestCalls.Wav(7), "call.wav"));
        Assert.StartsWith("recording store is full:", e.Message);
        Assert.Contains("QA_STORE_MIN_FREE_BYTES", e.Message);
        Assert.Empty(Directory.EnumerateFiles(rig.Dir, "*", SearchOption.AllDirectories));
        Assert.Empty(await rig.Calls.List(null, 10));
    }

    [Fact]
    public void Metadata_comes_from_the_sidecar_json_or_the_folder_manifest()
    {
        var dir = TestCalls.TempDir("qa-meta");
        var a = TestCalls.WriteCall(dir, "a", 1, agent: "A07");
        var b = TestCalls.WriteCall(dir, "b", 2, agent: null);
        File.WriteAllText(Path.Combine(dir, "manifest.csv"),
            "file,call_id,agent_id,team,queue,direction,start_time,customer_number\n" +
            "b.wav,C-99,A09,\"Team, 2\",billing,outbound,2026-03-02T10:00:00+08:00,13900000000\n");
        var manifest = Sidecars.LoadManifest(Path.Combine(dir, "manifest.csv"));
        Assert.Equal("A07", Sidecars.Metadata(a, manifest).AgentId);
        var fromCsv = Sidecars.Metadata(b, manifest);
        Assert.Equal(new CallMetadata("C-99", "A09", "Team, 2", "billing", "outbound", new DateTime(2026, 3, 2, 2, 0, 0, DateTimeKind.Utc), "13900000000"), fromCsv);
        File.WriteAllText(Path.Combine(dir, "bad.csv"), "file,direction\nc.wav,sideways\n");
        var e = Assert.Throws<FormatException>(() => Sidecars.LoadManifest(Path.Combine(dir, "bad.csv")));
        Assert.Equal("bad.csv line 2: direction must be inbound or outbound (got 'sideways')", e.Message);
    }

    [Fact]
    public void Sidecar_json_keeps_numbers_as_text_ignores_unknown_fields_and_refuses_what_is_not_an_object()
    {
        // Telephony platforms send ids as numbers: kept as their text, as a manifest cell would be.
        var meta = Sidecars.ParseMetadataJson("""
            {"call_id": 77, "agent_id": 1023, "team": "T1", "direction": "Outbound", "start_time": "2026-03-02T09:00:00+08:00",
             "customer_number": 13800001111, "agent_channel": "RIGHT", "language": null, "recorder": {"id": 4}}
            """, "a.json");
        Assert.Equal(new CallMetadata("77", "1023", "T1", null, "outbound", new DateTime(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc), "13800001111",
            null, "right"), meta);
        Assert.Equal("a.json: metadata must be a JSON object", Assert.Throws<FormatException>(() => Sidecars.ParseMetadataJson("[1, 2]", "a.json")).Message);
        Assert.Equal("a.json: metadata must be a JSON object", Assert.Throws<FormatException>(() => Sidecars.ParseMetadataJson("null", "a.json")).Message);
        Assert.StartsWith("a.json: malformed metadata JSON (", Assert.Throws<FormatException>(() => Sidecars.ParseMetadataJson("{\"agent_id\": ", "a.json")).Message);
        Assert.StartsWith("a.json: malformed metadata JSON (", Assert.Throws<FormatException>(() => Sidecars.ParseMetadataJson("", "a.json")).Message);
        Assert.Equal("a.json: direction must be inbound or outbound (got 'true')",
            Assert.Throws<FormatException>(() => Sidecars.ParseMetadataJson("{\"direction\": true}", "a.json")).Message);
    }
}
