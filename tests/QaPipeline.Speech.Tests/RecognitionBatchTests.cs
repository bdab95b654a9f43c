using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Speech.Tests;

public sealed class RecognitionBatchTests
{
    [Fact]
    public void Regions_closer_than_the_merge_gap_become_one_padded_region()
    {
        var merged = RecognitionBatch.Merge(
            [new VoicedRegion(5.0, 7.0), new VoicedRegion(1.0, 2.0), new VoicedRegion(2.4, 3.0), new VoicedRegion(9.95, 10.0)],
            mergeGap: 0.6, pad: 0.2, callDuration: 10.0);
        Assert.Equal([new VoicedRegion(0.8, 3.2), new VoicedRegion(4.8, 7.2), new VoicedRegion(9.75, 10.0)], merged);
    }

    [Fact]
    public void Padding_never_leaves_the_call()
    {
        var merged = RecognitionBatch.Merge([new VoicedRegion(0.05, 1.0), new VoicedRegion(11.9, 12.0)], 0.6, 0.3, callDuration: 12.0);
        Assert.Equal(0.0, merged[0].Start);
        Assert.Equal(12.0, merged[^1].End);
    }

    [Fact]
    public void Regions_are_packed_into_capped_batches_with_silence_between()
    {
        var regions = Enumerable.Range(0, 10).Select(i => new VoicedRegion(i * 20.0, i * 20.0 + 8.0)).ToList();
        var batches = RecognitionBatch.Plan(regions, maxSeconds: 30);
        Assert.All(batches, b => Assert.True(b.Duration <= 30.0, $"batch of {b.Duration} s"));
        Assert.Equal(4, batches.Count); // 3 + 3 + 3 + 1 regions of 8 s
        Assert.Equal(3, batches[0].Pieces.Count);
        Assert.Equal(8.0 + RecognitionBatch.JoinSilenceSeconds, batches[0].Pieces[1].BatchStart, 6);
        Assert.Equal(regions, batches.SelectMany(b => b.Pieces).Select(p => new VoicedRegion(p.CallStart, p.CallEnd)));
    }

    [Fact]
    public void Region_longer_than_the_cap_is_a_batch_of_its_own()
    {
        var batches = RecognitionBatch.Plan([new VoicedRegion(0, 5), new VoicedRegion(10, 55), new VoicedRegion(60, 62)], maxSeconds: 30);
        Assert.Equal([1, 1, 1], batches.Select(b => b.Pieces.Count));
        Assert.Equal(45.0, batches[1].Duration, 6);
    }

    [Fact]
    public void Five_minutes_of_speech_in_short_turns_is_one_batch_so_every_whisper_window_is_full()
    {
        var regions = Enumerable.Range(0, 30).Select(i => new VoicedRegion(i * 20.0, i * 20.0 + 9.5)).ToList();
        var batch = Assert.Single(RecognitionBatch.Plan(regions));
        Assert.Equal(30 * 9.5 + 29 * RecognitionBatch.JoinSilenceSeconds, batch.Duration, 6);
    }

    [Fact]
    public void Batch_times_map_back_to_call_times_and_silence_between_pieces_snaps_to_a_piece_edge()
    {
        var batch = RecognitionBatch.Plan([new VoicedRegion(10, 12), new VoicedRegion(40, 43)])[0];
        Assert.Equal(11.0, batch.ToCallTime(1.0, preferNext: true), 6);
        var second = 2.0 + RecognitionBatch.JoinSilenceSeconds;
        Assert.Equal(41.0, batch.ToCallTime(second + 1.0, preferNext: true), 6);
        Assert.Equal(40.0, batch.ToCallTime(2.05, preferNext: true), 6);  // in the joining silence: a start goes forward
        Assert.Equal(12.0, batch.ToCallTime(2.05, preferNext: false), 6); // an end goes back
        Assert.Equal(43.0, batch.ToCallTime(99, preferNext: false), 6);
    }

    private static RecognizedToken Tok(string text, double start, double end, double p = 0.9) => new(text, start, end, p);

    [Fact]
    public void Segment_spanning_two_regions_is_split_where_its_tokens_cross_over()
    {
        var batch = RecognitionBatch.Plan([new VoicedRegion(10, 12), new VoicedRegion(40, 43)])[0];
        // Second piece starts at 2.1 s in the batch (2 s of speech + 0.1 s of joining silence).
        var seg = new RecognizedSegment(0.1, 5.0, "您好 请稍等", [Tok("您", 0.1, 0.5), Tok("好", 0.5, 1.0), Tok(" 请", 2.3, 2.8), Tok("稍", 2.8, 3.2), Tok("等", 3.2, 3.6)], 0.01);
        var segments = SegmentAssembly.ToSegments(batch, new RecognitionResult("zh", [seg]), SpeakerRole.Agent, new HallucinationGuard(), s => s);
        Assert.Equal(2, segments.Count);
        Assert.Equal(("您好", 10.1, 11.0), (segments[0].Text, segments[0].Start!.Value, Math.Round(segments[0].End!.Value, 6)));
        Assert.Equal(("请稍等", 40.2, 41.5), (segments[1].Text, Math.Round(segments[1].Start!.Value, 6), Math.Round(segments[1].End!.Value, 6)));
        Assert.All(segments, s => Assert.Equal(SpeakerRole.Agent, s.Speaker));
    }

    [Fact]
    public void Guarded_segments_are_dropped_and_counted()
    {
        var batch = RecognitionBatch.Plan([new VoicedRegion(0, 10)])[0];
        var tally = new SegmentAssembly.GuardTally();
        var result = new RecognitionResult("zh",
        [
            new RecognizedSegment(0, 2, "[BLANK_AUDIO]", [], 0.9),
            new RecognizedSegment(2, 4, "请问有什么可以帮您", [Tok("请问有什么可以帮您", 2, 4)], 0.01),
            new RecognizedSegment(4, 6, "请问有什么可以帮您", [Tok("请问有什么可以帮您", 4, 6)], 0.01),
        ]);
        var segments = SegmentAssembly.ToSegments(batch, result, SpeakerRole.Customer, new HallucinationGuard(), s => s, tally);
        Assert.Single(segments);
        Assert.Equal(1, tally.Dropped["non-speech marker"]);
        Assert.Equal(1, tally.Dropped["repeated segment"]);
    }

    [Fact]
    public void Confidence_is_the_geometric_mean_of_token_probabilities()
    {
        Assert.Equal(0.5, SegmentAssembly.Confidence([Tok("a", 0, 1, 0.25), Tok("b", 1, 2, 1.0)])!.Value, 6);
        Assert.Null(SegmentAssembly.Confidence([]));
    }

    [Fact]
    public void Channels_merge_into_one_time_ordered_transcript()
    {
        TranscriptSegment S(SpeakerRole r, double a, double b) => new(r, a, b, $"{r}@{a}");
        var merged = SegmentAssembly.MergeChannels(
        [
            [S(SpeakerRole.Agent, 0.5, 2.0), S(SpeakerRole.Agent, 6.0, 8.0), S(SpeakerRole.Agent, 9.0, 9.5)],
            [S(SpeakerRole.Customer, 2.5, 5.0), S(SpeakerRole.Customer, 6.0, 7.0), S(SpeakerRole.Customer, 8.5, 9.2)],
        ]);
        Assert.Equal(["Agent@0.5", "Customer@2.5", "Customer@6", "Agent@6", "Customer@8.5", "Agent@9"], merged.Select(s => s.Text));
    }
}
