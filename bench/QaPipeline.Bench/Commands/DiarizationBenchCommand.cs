using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Separation;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Cli.Commands;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa bench diarization</c>: how well mono calls are split into agent and customer, on calls built from real
/// voices with a known truth (<see cref="DiarizationCalls"/>). Per call and per split (tune / report) and
/// condition: the share of voiced time given to the right role, the diarization error rate (missed speech, false
/// alarm, speaker confusion; 0.25 s collar, overlaps scored) and whether the roles were assigned the right way
/// round. Single-voice calls must stay unseparated. With <c>--speaker-model</c> the calls are separated on that
/// speaker-embedding model instead of the built-in cepstral separator, so a centre with a model measures it on the
/// same truth (and tunes <c>--max-voice-similarity</c> on the tune split); the method that ran is printed.
/// </summary>
public static class DiarizationBenchCommand
{
    private const double Collar = 0.25;
    private const double Frame = 0.01;

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of each two-voice call", DefaultValueFactory = _ => 60 };
        var keep = new Option<DirectoryInfo?>("--keep") { Description = "Write the built calls here and keep them (default: a temp folder, deleted)" };
        var splitOpt = new Option<string>("--split") { Description = "Which calls: all, tune or report", DefaultValueFactory = _ => "all" };
        splitOpt.AcceptOnlyFromAmong("all", "tune", "report");
        var clips = new Option<DirectoryInfo?>("--clips") { Description = "The real speech folder (default ../shared/speech)" };
        var vadModel = new Option<FileInfo?>("--vad-model") { Description = "Silero VAD ONNX model" };
        var speakerModel = new Option<FileInfo?>("--speaker-model")
        {
            Description = "Speaker-embedding ONNX model to separate with (default: $QA_SPEAKER_MODEL, else the built-in cepstral separator)",
        };
        var maxSimilarity = new Option<double?>("--max-voice-similarity")
        {
            Description = $"With a model: two voices more alike than this (cosine of their centroids) are one speaker (default: $QA_SPEAKER_MAX_SIMILARITY, else {new SpeakerSeparationOptions().MaxVoiceSimilarity})",
        };
        var cmd = new Command("diarization", "Mono speaker separation on calls built from real voices: right-role share, DER, role assignment")
        {
            seconds, keep, splitOpt, clips, vadModel, speakerModel, maxSimilarity,
        };
        cmd.SetAction(p =>
        {
            var speech = p.GetValue(clips)?.FullName ?? AcousticsBenchCommand.FindSharedSpeech();
            var directory = p.GetValue(keep)?.FullName ?? Path.Combine(Path.GetTempPath(), $"qa-bench-diarization-{Environment.ProcessId}");
            var split = p.GetValue(splitOpt)!;
            var separation = new SpeakerSeparationOptions
            {
                EmbeddingModelPath = p.GetValue(speakerModel)?.FullName ?? PipelineCli.Variables().SpeakerModel,
            };
            if ((p.GetValue(maxSimilarity) ?? PipelineCli.Variables().SpeakerMaxSimilarity) is { } similarity)
            {
                if (!(similarity is >= -1 and <= 1))
                    throw new UserInputException($"--max-voice-similarity must be a cosine similarity from -1 to 1, not {similarity.ToString(CultureInfo.InvariantCulture)}");
                separation = separation with { MaxVoiceSimilarity = similarity };
            }
            if (separation.EmbeddingModelPath is { } model)
            {
                var loaded = LoadModel(model);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"method: {EmbeddingSeparator.Method}, model {loaded.ModelPath} ({(loaded.SubtractsMean ? "window mean subtracted" : "raw log-mel")}), one voice above cosine {separation.MaxVoiceSimilarity:0.000}"));
            }
            else
            {
                Console.Out.WriteLine($"method: {SpeakerSeparator.Method} (built-in cepstral separator; --speaker-model measures an embedding model)");
            }
            using var vad = new SileroVad(SileroVad.ResolveModelPath(p.GetValue(vadModel)?.FullName ?? PipelineCli.Variables().VadModel));
            var analyzer = new AcousticAnalyzer(new AudioDecoder(), vad);
            var results = new List<CallResult>();
            var clock = Stopwatch.StartNew();
            double audioSeconds = 0;
            double analysisSeconds = 0;
            try
            {
                Console.Out.WriteLine("split   call                                              dir  right_role   DER  missed  false_al  confusion  roles  sep_conf  distance");
                foreach (var call in new DiarizationCalls(speech, vad).Build(directory, p.GetValue(seconds)))
                {
                    if (split != "all" && call.Split != split) continue;
                    var options = new AcousticAnalysisOptions
                    {
                        FirstSpeaker = call.Inbound ? SpeakerRole.Agent : SpeakerRole.Customer,
                        Separation = separation,
                    };
                    var analysed = Stopwatch.StartNew();
                    var facts = analyzer.Analyze(call.Path, options);
                    analysisSeconds += analysed.Elapsed.TotalSeconds;
                    audioSeconds += facts.DurationSeconds;
                    var result = Score(call, facts);
                    results.Add(result);
                    Console.Out.WriteLine(result.Line());
                }
            }
            finally
            {
                if (p.GetValue(keep) is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }

            Console.Out.WriteLine();
            foreach (var group in results.Where(r => !r.Call.SingleSpeaker).GroupBy(r => (r.Call.Split, r.Call.Condition.Noisy)).OrderBy(g => g.Key))
                Console.Out.WriteLine(Summary($"{group.Key.Split} {(group.Key.Noisy ? "noisy" : "clean")}", group.ToList()));
            foreach (var group in results.Where(r => !r.Call.SingleSpeaker).GroupBy(r => r.Call.Split).OrderBy(g => g.Key))
                Console.Out.WriteLine(Summary($"{group.Key} all", group.ToList()));
            foreach (var group in results.Where(r => r.Call.SingleSpeaker).GroupBy(r => r.Call.Split).OrderBy(g => g.Key))
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{group.Key} single voice: {group.Count(r => r.RolesRight)}/{group.Count()} calls kept as one mixed speaker, {group.Count(r => r.Unsure)} separated as unsure (roles left to review)"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"analysis: {audioSeconds:0} s of audio in {analysisSeconds:0.0} s = {audioSeconds / Math.Max(analysisSeconds, 1e-9):0}x real time (decode + VAD + separation; {Environment.ProcessorCount} cores, load {LoadAverage()}); total {clock.Elapsed.TotalSeconds:0} s"));
            return 0;
        });
        return cmd;
    }

    private static string Summary(string label, List<CallResult> group)
    {
        var refTime = group.Sum(r => r.ReferenceSeconds);
        var voiced = group.Sum(r => r.ScoredSingleSeconds);
        return string.Create(CultureInfo.InvariantCulture,
            $"{label,-14} calls {group.Count,3}  right role {group.Sum(r => r.RightRoleSeconds) / voiced:P1} overall, worst call {group.Min(r => r.RightRoleShare):P1}; " +
            $"DER {group.Sum(r => r.Missed + r.FalseAlarm + r.Confusion) / refTime:P1} (missed {group.Sum(r => r.Missed) / refTime:P1}, false alarm {group.Sum(r => r.FalseAlarm) / refTime:P1}, confusion {group.Sum(r => r.Confusion) / refTime:P1}); " +
            $"roles right {group.Count(r => r.RolesRight)}/{group.Count}; " +
            $"separated sure {group.Count(r => r.Sure)} (wrong role or under 90 %: {group.Count(r => r.Sure && (!r.RolesRight || r.RightRoleShare < 0.9))}), " +
            $"unsure, roles left to review {group.Count(r => r.Unsure)} (roles right {group.Count(r => r.Unsure && r.RolesRight)}), " +
            $"refused as one voice (speaker items left to review) {group.Count(r => r.Facts.Separation?.Separated != true)}");
    }

    /// <summary>The model, loaded before any call is built; an unusable one is the command's one-line error.</summary>
    private static SpeakerEmbeddingModel LoadModel(string path)
    {
        try
        {
            return SpeakerEmbeddingModel.Open(path);
        }
        catch (InvalidDataException e)
        {
            throw new UserInputException(e.Message);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Frame-level scoring (10 ms) against the truth; reference turns of one role closer than 0.3 s are
    /// one turn (as annotators write them), and frames within the collar of a reference boundary are not scored.</summary>
    private static CallResult Score(DiarizationCall call, AcousticFacts facts)
    {
        var frames = (int)Math.Ceiling(Math.Max(call.DurationSeconds, facts.DurationSeconds) / Frame) + 1;
        var reference = new[] { "agent", "customer" }.ToDictionary(role => role,
            role => Mark(frames, Merge(call.Truth.Where(s => s.Role == role).Select(s => new TimeSpanS(s.Start, s.End)), 0.3)));
        var scored = Enumerable.Repeat(true, frames).ToArray();
        foreach (var role in reference.Keys)
            foreach (var span in Merge(call.Truth.Where(s => s.Role == role).Select(s => new TimeSpanS(s.Start, s.End)), 0.3))
                foreach (var edge in new[] { span.Start, span.End })
                    for (var k = Math.Max(0, (int)((edge - Collar) / Frame)); k < Math.Min(frames, (int)((edge + Collar) / Frame)); k++) scored[k] = false;
        var hypothesis = facts.Speakers.ToDictionary(kv => kv.Key, kv => Mark(frames, kv.Value.Segments));

        double missed = 0, falseAlarm = 0, confusion = 0, refTime = 0, single = 0, right = 0;
        var labelled = new Dictionary<(string Hyp, string Ref), double>();
        for (var k = 0; k < frames; k++)
        {
            if (!scored[k]) continue;
            var refs = reference.Where(r => r.Value[k]).Select(r => r.Key).ToList();
            var hyps = hypothesis.Where(h => h.Value[k]).Select(h => h.Key).ToList();
            refTime += refs.Count * Frame;
            missed += Math.Max(0, refs.Count - hyps.Count) * Frame;
            falseAlarm += Math.Max(0, hyps.Count - refs.Count) * Frame;
            confusion += (Math.Min(refs.Count, hyps.Count) - refs.Intersect(hyps).Count()) * Frame;
            if (refs.Count == 1 && hyps.Count == 1)
            {
                single += Frame;
                if (refs[0] == hyps[0]) right += Frame;
                labelled[(hyps[0], refs[0])] = labelled.GetValueOrDefault((hyps[0], refs[0])) + Frame;
            }
        }
        bool Mostly(string role) => labelled.GetValueOrDefault((role, role)) > labelled.Where(l => l.Key.Hyp == role && l.Key.Ref != role).Sum(l => l.Value);
        var rolesRight = call.SingleSpeaker ? !facts.RolesKnown : facts.RolesKnown && Mostly("agent") && Mostly("customer");
        return new CallResult(call, facts, refTime, single, right, missed, falseAlarm, confusion, rolesRight);
    }

    private static bool[] Mark(int frames, IEnumerable<TimeSpanS> spans)
    {
        var marks = new bool[frames];
        foreach (var s in spans)
            for (var k = Math.Max(0, (int)Math.Round(s.Start / Frame)); k < Math.Min(frames, (int)Math.Round(s.End / Frame)); k++) marks[k] = true;
        return marks;
    }

    private static List<TimeSpanS> Merge(IEnumerable<TimeSpanS> spans, double gap)
    {
        var merged = new List<TimeSpanS>();
        foreach (var s in spans.OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && s.Start - merged[^1].End <= gap) merged[^1] = new TimeSpanS(merged[^1].Start, Math.Max(merged[^1].End, s.End));
            else merged.Add(s);
        }
        return merged;
    }

    private sealed record CallResult(DiarizationCall Call, AcousticFacts Facts, double ReferenceSeconds, double ScoredSingleSeconds,
        double RightRoleSeconds, double Missed, double FalseAlarm, double Confusion, bool RolesRight)
    {
        public double RightRoleShare => ScoredSingleSeconds > 0 ? RightRoleSeconds / ScoredSingleSeconds : 0;

        /// <summary>Separated with turns under the scorer's default role-confidence review threshold: the roles are
        /// given, but every item decided by who said what goes to a reviewer.</summary>
        public bool Unsure => Facts.Separation is { Separated: true } s && s.Confidence < new SpeakerSeparationOptions().LowRoleConfidence;

        public bool Sure => Facts.Separation is { Separated: true } && !Unsure;

        public string Line()
        {
            var sep = Facts.Separation;
            var der = ReferenceSeconds > 0 ? (Missed + FalseAlarm + Confusion) / ReferenceSeconds : 0;
            string Pct(double v) => ReferenceSeconds > 0 ? (v / ReferenceSeconds).ToString("P1", CultureInfo.InvariantCulture) : "-";
            return string.Create(CultureInfo.InvariantCulture,
                $"{Call.Split,-7} {Call.Name,-49} {(Call.SingleSpeaker ? "-  " : Call.Inbound ? "in " : "out")}  " +
                $"{(Call.SingleSpeaker ? "-" : RightRoleShare.ToString("P1", CultureInfo.InvariantCulture)),9}  {(Call.SingleSpeaker ? "-" : der.ToString("P1", CultureInfo.InvariantCulture)),6}  " +
                $"{Pct(Missed),6}  {Pct(FalseAlarm),8}  {(Call.SingleSpeaker ? "-" : Pct(Confusion)),9}  {(RolesRight ? "ok" : "WRONG"),5}  " +
                $"{(sep?.Separated == true ? sep.Confidence?.ToString("0.00", CultureInfo.InvariantCulture) : "none"),8}  {(Unsure ? "unsure: roles left to review" : sep?.Reason ?? "")}");
        }
    }
}
