using System.Security.Cryptography;
using Polly;
using QaPipeline.Centre.Resilience;

namespace QaPipeline.Centre.Recordings;

/// <summary>A recording was refused; the message says why in one line and nothing was stored.</summary>
public sealed class RecordingRejectedException(string message, int httpStatus = 400) : Exception(message)
{
    /// <summary>400 bad request, 413 too large, 415 not audio.</summary>
    public int HttpStatus { get; } = httpStatus;
}

/// <summary>The store has no room for another recording. Not the recording's fault: try again later.</summary>
public sealed class StoreFullException(string message) : Exception(message);

/// <summary>
/// Originals, content-addressed: <c>ab/cd/abcd…(sha-256).wav</c> under the store root, written once, made
/// read-only, never modified. The name a file arrived with never becomes a path, so nothing can be written
/// outside the store. Incoming bytes go to <c>.incoming/</c> first and are moved in only when complete.
/// </summary>
public sealed class RecordingStore(string root, long maxBytes, long minFreeBytes)
{
    private readonly ResiliencePipeline _io = FaultPolicies.FileStore();

    public string Root { get; } = Path.GetFullPath(root);

    public sealed record Stored(string ContentHash, string RelativePath, long SizeBytes, AudioFormat Format);

    /// <summary>Copies the stream in, checking size and format as it goes; returns where it lies.</summary>
    public async Task<Stored> Store(Stream audio, CancellationToken ct = default)
    {
        var incoming = Path.Combine(Root, ".incoming");
        Directory.CreateDirectory(incoming);
        EnsureRoom(incoming);
        var temp = Path.Combine(incoming, Guid.NewGuid().ToString("N"));
        try
        {
            string hash;
            long size = 0;
            AudioFormat format;
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                var head = new byte[AudioSniffer.HeaderBytes];
                var headLength = 0;
                format = AudioFormat.Unknown;
                int read;
                while ((read = await audio.ReadAsync(buffer, ct)) > 0)
                {
                    if (headLength < head.Length)
                    {
                        var take = Math.Min(read, head.Length - headLength);
                        Array.Copy(buffer, 0, head, headLength, take);
                        headLength += take;
                        // Decide as soon as the header is in: an archive or a non-audio file is refused before it fills the disk.
                        if (headLength == head.Length || take < read) format = AudioSniffer.Identify(head.AsSpan(0, headLength));
                    }
                    size += read;
                    if (size > maxBytes)
                        throw new RecordingRejectedException($"recording is larger than the limit of {maxBytes:N0} bytes (QA_MAX_UPLOAD_BYTES)", 413);
                    sha.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                if (size == 0) throw new RecordingRejectedException("recording is empty");
                if (headLength < head.Length) format = AudioSniffer.Identify(head.AsSpan(0, headLength));
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            var relative = Path.Combine(hash[..2], hash[2..4], $"{hash}.{format.Extension}");
            var final = FullPath(relative);
            await _io.ExecuteAsync(_ =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                if (!File.Exists(final))
                {
                    File.Move(temp, final);
                    if (!OperatingSystem.IsWindows())
                        File.SetUnixFileMode(final, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                    else
                        File.SetAttributes(final, FileAttributes.ReadOnly);
                }
                return ValueTask.CompletedTask;
            }, ct);
            return new Stored(hash, relative, size, format);
        }
        catch (IOException e) when (FaultPolicies.IsDiskFull(e))
        {
            throw new StoreFullException($"recording store is full ({Root}): {e.Message}");
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { }
        }
    }

    /// <summary>The absolute path of a stored recording; refuses anything that would leave the store.</summary>
    public string FullPath(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"store path escapes the store: {relative}");
        return full;
    }

    /// <summary>Deletes a stored recording (retention); false when it was already gone.</summary>
    public bool Delete(string relative)
    {
        var full = FullPath(relative);
        if (!File.Exists(full)) return false;
        // The file is read-only; on Unix deleting needs only the folder's write right, Windows wants the flag off.
        if (OperatingSystem.IsWindows()) File.SetAttributes(full, FileAttributes.Normal);
        File.Delete(full);
        return true;
    }

    private void EnsureRoom(string dir)
    {
        var free = new DriveInfo(dir).AvailableFreeSpace;
        if (free < minFreeBytes)
            throw new StoreFullException(
                $"recording store is full: {free:N0} bytes free at {Root}, below the reserve of {minFreeBytes:N0} (QA_STORE_MIN_FREE_BYTES)");
    }
}

public sealed record AudioFormat(string Name, string Extension)
{
    public static readonly AudioFormat Unknown = new("unknown", "bin");
}

/// <summary>
/// Recognises recordings by their first bytes. Archives are named and refused without being opened, so a
/// zip bomb is never decompressed; anything that is not a known audio container is refused too.
/// </summary>
public static class AudioSniffer
{
    public const int HeaderBytes = 512;

    public static AudioFormat Identify(ReadOnlySpan<byte> h)
    {
        if (Archive(h) is { } archive)
            throw new RecordingRejectedException($"archives are not accepted ({archive}); upload the recording itself", 415);
        if (Starts(h, "RIFF"u8) && At(h, 8, "WAVE"u8) || Starts(h, "RF64"u8)) return new("wav", "wav");
        if (Starts(h, "OggS"u8)) return new("ogg", "ogg");
        if (Starts(h, "fLaC"u8)) return new("flac", "flac");
        if (Starts(h, "#!AMR"u8)) return new("amr", "amr");
        if (Starts(h, "ID3"u8) || h.Length > 1 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0) return new("mp3", "mp3");
        if (At(h, 4, "ftyp"u8)) return new("mp4", "m4a");
        if (Starts(h, [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11])) return new("asf", "wma");
        if (Starts(h, "FORM"u8) && (At(h, 8, "AIFF"u8) || At(h, 8, "AIFC"u8))) return new("aiff", "aiff");
        if (Starts(h, ".snd"u8)) return new("au", "au");
        if (Starts(h, "caff"u8)) return new("caf", "caf");
        throw new RecordingRejectedException("not an audio recording (unrecognised file header; accepted: wav, mp3, ogg, flac, amr, m4a, wma, aiff, au, caf)", 415);
    }

    private static string? Archive(ReadOnlySpan<byte> h) =>
        Starts(h, "PK\x03\x04"u8) || Starts(h, "PK\x05\x06"u8) ? "zip"
        : Starts(h, [0x1F, 0x8B]) ? "gzip"
        : Starts(h, "BZh"u8) ? "bzip2"
        : Starts(h, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) ? "xz"
        : Starts(h, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) ? "7z"
        : Starts(h, "Rar!"u8) ? "rar"
        : Starts(h, [0x28, 0xB5, 0x2F, 0xFD]) ? "zstd"
        : At(h, 257, "ustar"u8) ? "tar"
        : null;

    private static bool Starts(ReadOnlySpan<byte> h, ReadOnlySpan<byte> magic) => h.StartsWith(magic);

    private static bool At(ReadOnlySpan<byte> h, int offset, ReadOnlySpan<byte> magic) =>
        h.Length >= offset + magic.Length && h.Slice(offset, magic.Length).SequenceEqual(magic);
}
