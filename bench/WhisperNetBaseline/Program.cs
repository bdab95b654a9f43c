using Whisper.net;

// Usage: WhisperNetBaseline MODEL THREADS LANGUAGE CHANNEL.wav...
// Each channel file is transcribed whole, the way Whisper.net's README does it: one factory, one processor,
// ProcessAsync over the WAV stream. Decoding settings match qa transcribe's defaults (beam search, 5 beams) so that
// the benchmark compares what is sent to Whisper, not how it is decoded. The segment text goes to stdout; the
// number of 30 s windows the encoder ran goes to stderr for the benchmark's report.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: WhisperNetBaseline MODEL THREADS LANGUAGE CHANNEL.wav...");
    return 2;
}
var windows = 0;
using var factory = WhisperFactory.FromPath(args[0]);
using var processor = factory.CreateBuilder()
    .WithThreads(int.Parse(args[1]))
    .WithLanguage(args[2])
    .WithBeamSearchSamplingStrategy(b => b.WithBeamSize(5))
    .WithEncoderBeginHandler(_ => { windows++; return true; })
    .Build();
foreach (var channel in args[3..])
{
    await using var wav = File.OpenRead(channel);
    await foreach (var segment in processor.ProcessAsync(wav))
        Console.WriteLine($"{segment.Start}->{segment.End}: {segment.Text}");
}
Console.Error.WriteLine($"baseline: whisper encoder ran {windows} windows of 30 s");
return 0;
