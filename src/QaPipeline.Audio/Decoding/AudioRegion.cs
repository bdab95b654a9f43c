namespace QaPipeline.Audio.Decoding;

/// <summary>A stretch of one channel to cut out of a recording (e.g. a voice-active region to transcribe).</summary>
public readonly record struct AudioRegion(int Channel, double Start, double End);

/// <summary>
/// Cuts many regions out of one streamed decode. Spawning ffmpeg per region (<see cref="AudioDecoder.DecodeRange"/>)
/// costs ~50 ms each, too much for the hundred regions of a 5-minute call; this reads the recording once and
/// holds only the regions still open, so it also works on a 3-hour call.
/// </summary>
public static class AudioRegions
{
    /// <summary>Yields each region's samples (16 kHz) as soon as the stream has passed its end, in order of end
    /// time; regions are clamped to the recording.</summary>
    public static IEnumerable<(AudioRegion Region, float[] Samples)> Cut(IEnumerable<AudioChunk> chunks, IEnumerable<AudioRegion> regions)
    {
        var pending = regions.OrderBy(r => r.Start).ToList();
        var next = 0;
        var open = new List<OpenRegion>();
        foreach (var chunk in chunks)
        {
            var chunkEnd = chunk.StartSample + chunk.Length;
            while (next < pending.Count && ToSample(pending[next].Start) < chunkEnd)
            {
                var r = pending[next++];
                if (r.Channel < 0 || r.Channel >= chunk.ChannelCount)
                    throw new ArgumentOutOfRangeException(nameof(regions), $"region on channel {r.Channel}, recording has {chunk.ChannelCount}");
                open.Add(new OpenRegion(r, ToSample(r.Start), Math.Max(ToSample(r.Start), ToSample(r.End))));
            }
            foreach (var o in open)
            {
                var from = Math.Max(o.From, chunk.StartSample);
                var to = Math.Min(o.To, chunkEnd);
                if (to > from)
                    o.Samples.AddRange(new ArraySegment<float>(chunk.Channels[o.Region.Channel], (int)(from - chunk.StartSample), (int)(to - from)));
            }
            foreach (var done in open.Where(o => o.To <= chunkEnd).OrderBy(o => o.To).ToList())
            {
                open.Remove(done);
                yield return (done.Region, done.Samples.ToArray());
            }
        }
        // Regions running past the end of the recording (or starting after it) end where the audio ends.
        foreach (var o in open.OrderBy(o => o.To)) yield return (o.Region, o.Samples.ToArray());
        for (; next < pending.Count; next++) yield return (pending[next], []);
    }

    private static long ToSample(double seconds) => (long)Math.Round(Math.Max(0, seconds) * AudioDecoder.SampleRate);

    private sealed record OpenRegion(AudioRegion Region, long From, long To)
    {
        public List<float> Samples { get; } = [];
    }
}
