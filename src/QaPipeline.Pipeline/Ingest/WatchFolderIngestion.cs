using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Ingest;

/// <summary>
/// Polls the folder the telephony platform writes to. A file is ingested only once its size and modification
/// time have not changed for <see cref="StableFor"/> and it can be opened exclusively, so a recording still
/// being written is never read half-way. Ingested files (with their sidecars) move to <c>ingested/</c>,
/// refused ones to <c>rejected/</c> with a <c>.reason</c> file; when the store is full they stay and are retried.
/// Polling rather than FileSystemWatcher: change events are not delivered on network mounts (SMB/NFS).
/// </summary>
public sealed class WatchFolderIngestion(string folder, CallIngestor ingestor, QueueSweeper sweeper, TimeProvider clock, ILogger<WatchFolderIngestion> log)
    : BackgroundService
{
    public TimeSpan StableFor { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, (long Size, DateTime Modified, DateTime Since)> _seen = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(folder);
        log.LogInformation("watching {Folder} for recordings", folder);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanOnce(clock.GetUtcNow().UtcDateTime, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("watch folder scan failed: {Error}", e.Message);
            }
            try { await Task.Delay(PollEvery, stoppingToken); } catch (OperationCanceledException) { }
        }
    }

    public async Task<int> ScanOnce(DateTime now, CancellationToken ct)
    {
        var ingested = 0;
        var present = new HashSet<string>();
        var manifestPath = Path.Combine(folder, Sidecars.ManifestName);
        foreach (var path in Directory.EnumerateFiles(folder).Where(p => !Sidecars.IsSidecar(p)))
        {
            present.Add(path);
            var info = new FileInfo(path);
            var key = (info.Length, info.LastWriteTimeUtc);
            if (!_seen.TryGetValue(path, out var seen) || seen.Size != key.Length || seen.Modified != key.LastWriteTimeUtc)
            {
                _seen[path] = (key.Length, key.LastWriteTimeUtc, now);
                continue;
            }
            if (now - seen.Since < StableFor) continue;
            if (await IngestOne(path, manifestPath, ct)) ingested++;
            _seen.Remove(path);
        }
        foreach (var gone in _seen.Keys.Where(k => !present.Contains(k)).ToList()) _seen.Remove(gone);
        if (ingested > 0) sweeper.Wake();
        return ingested;
    }

    private async Task<bool> IngestOne(string path, string manifestPath, CancellationToken ct)
    {
        string? reason = null;
        try
        {
            var manifest = File.Exists(manifestPath) ? Sidecars.LoadManifest(manifestPath) : null;
            var meta = Sidecars.Metadata(path, manifest);
            // Exclusive open: a writer that still holds the file makes this fail and we try again next scan.
            await using var audio = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            var result = await ingestor.Ingest(new IngestRequest(audio, Path.GetFileName(path), meta, Sidecars.Transcript(path), "watch"), ct);
            log.LogInformation("{File}: call {CallId}{Duplicate}", Path.GetFileName(path), result.CallId, result.Duplicate ? " (duplicate)" : "");
        }
        catch (StoreFullException e)
        {
            log.LogError("{File} left in place: {Reason}", Path.GetFileName(path), e.Message);
            return false;
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            return false; // still being written or locked; next scan
        }
        catch (Exception e) when (e is RecordingRejectedException or FormatException)
        {
            reason = e.Message;
        }
        var target = Path.Combine(folder, reason is null ? "ingested" : "rejected");
        Directory.CreateDirectory(target);
        foreach (var file in Sidecars.FilesOf(path).Append(path))
            File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        if (reason is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(target, Path.GetFileName(path) + ".reason"), reason + "\n", ct);
            log.LogWarning("{File} rejected: {Reason}", Path.GetFileName(path), reason);
        }
        return reason is null;
    }
}
