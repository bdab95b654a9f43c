using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Audio.Wav;
using QaPipeline.Centre;
using QaPipeline.Centre.Recordings;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Recordings;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.People;

namespace QaPipeline.Bench.Seeding;

/// <summary>Who the seed creates; every password is <see cref="DemoSeed.Password"/>.</summary>
public sealed record SeededPeople(IReadOnlyDictionary<string, long> UserIds, IReadOnlyList<long> CallIds);

/// <summary>
/// A demonstration centre for the browser tests, screenshots and the benchmark: two teams (一组, 二组), an admin,
/// three monitors, a trainer, three agents, a QA lead, and calls made from the sample dialogues in samples/ — each with a
/// generated stereo recording (agent left, customer right: tone bursts where each party speaks, so the waveform
/// shows the turns), its imported transcript, a scorecard from the real scoring core with the active rubric, and
/// the review flags the pipeline's own flag stage decides. Nothing is mocked: the pipeline's repositories, store,
/// scorer and flag policy do the work, exactly as for an ingested call.
/// </summary>
public static class DemoSeed
{
    public const string Password = "qa-demo-2026";

    public static readonly (string Login, string Name, string Role, string? Agent, string? Team, string[] Monitors)[] People =
    [
        ("admin", "管理员 Admin", Role.Admin, null, null, []),
        ("monitor1", "质检员 王芳", Role.Monitor, null, "一组", ["一组"]),
        ("monitor2", "质检员 李强", Role.Monitor, null, "一组", ["一组"]),
        ("monitor3", "质检员 赵敏", Role.Monitor, null, "二组", ["二组"]),
        ("trainer1", "培训师 陈晨", Role.Trainer, null, null, []),
        ("agent1", "客服 张伟", Role.Agent, "A01", "一组", []),
        ("agent2", "客服 刘洋", Role.Agent, "A02", "一组", []),
        ("agent3", "客服 孙丽", Role.Agent, "B01", "二组", []),
        ("lead1", "质检主管 周婷", Role.QaLead, null, null, []),
    ];

    /// <summary>Seeds into the database and store of <paramref name="options"/> (migrating first).</summary>
    public static async Task<SeededPeople> Run(PipelineOptions options, string samplesFolder, int copies = 2, CancellationToken ct = default)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipeline(options, workers: false);
        services.AddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<UserRecord>, Microsoft.AspNetCore.Identity.PasswordHasher<UserRecord>>();
        services.AddSingleton<SignIn>();
        services.AddSingleton<ScorecardItemProjection>();
        await using var sp = services.BuildServiceProvider().MigrateDatabase();
        var users = sp.GetRequiredService<UserRepository>();
        var signIn = sp.GetRequiredService<SignIn>();
        var now = DateTime.UtcNow;

        var teamIds = new Dictionary<string, long>();
        foreach (var team in new[] { "一组", "二组" })
            teamIds[team] = (await users.Teams(ct)).FirstOrDefault(t => t.Name == team)?.Id ?? await users.CreateTeam(team, ct);
        var userIds = new Dictionary<string, long>();
        var hash = signIn.Hash(Password);
        foreach (var p in People)
        {
            var existing = await users.FindByLogin(p.Login, ct);
            var id = existing?.Id ?? await users.Create(p.Login, p.Name, hash, p.Agent, p.Team is null ? null : teamIds[p.Team], [p.Role], now, ct);
            if (p.Monitors.Length > 0) await users.SetMonitorTeams(id, p.Monitors.Select(t => teamIds[t]), ct);
            userIds[p.Login] = id;
        }

        var store = sp.GetRequiredService<RecordingStore>();
        var calls = sp.GetRequiredService<CallRepository>();
        var results = sp.GetRequiredService<ResultRepository>();
        var scoring = sp.GetRequiredService<IRubricScoring>();
        var stages = sp.GetRequiredService<CallStages>();
        var rubric = scoring.Load(options.RubricPath);
        var dialogues = Dialogues(samplesFolder);
        var agents = People.Where(p => p.Agent is not null).ToList();
        var callIds = new List<long>();
        var n = 0;
        for (var copy = 0; copy < copies; copy++)
            foreach (var (name, transcript) in dialogues)
            {
                var agent = agents[n % agents.Count];
                var startedAt = new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc).AddDays(n * 2).AddMinutes(37 * n);
                var wav = Recording(transcript, n);
                var stored = await store.Store(new MemoryStream(wav), ct);
                var meta = new CallMetadata($"{name}-{copy + 1}", agent.Agent, agent.Team, n % 2 == 0 ? "billing" : "delivery", "inbound", startedAt,
                    "1380013" + (8000 + n).ToString(CultureInfo.InvariantCulture));
                var (id, created) = await calls.Insert(stored.ContentHash, stored.RelativePath, name + ".wav", stored.SizeBytes, meta, now, ct);
                n++;
                if (!created) { callIds.Add(id); continue; }
                var t = transcript with { CallId = meta.CallId };
                var json = TranscriptFormat.ToJson(t);
                await results.SaveTranscript(id, "imported", t.Language, t.Segments.Min(s => s.Confidence), json, now, ct);
                var scored = scoring.Score(rubric, t, null);
                await results.AddScorecard(id, rubric.Id, rubric.Version, rubric.Hash, scored.Score, scored.MaxScore, scored.Fatal, scored.Json, now, ct);
                var call = (await calls.Get(id, ct))!;
                await stages.FlagScorecard(call, (await results.CurrentScorecard(id, ct))!, ct);
                await calls.MarkScored(id, ct);
                callIds.Add(id);
            }
        await sp.GetRequiredService<ScorecardItemProjection>().CatchUp(10_000, ct);
        return new SeededPeople(userIds, callIds);
    }

    /// <summary>The sample dialogues: samples/transcripts/*.json (timed, with confidences) and the scripted calls of
    /// samples/scripts/*.txt (header, ---, "agent: ..." lines), timed here at a speaking pace of ~4 characters a second.</summary>
    public static IReadOnlyList<(string Name, Transcript Transcript)> Dialogues(string samplesFolder)
    {
        var list = new List<(string, Transcript)>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(samplesFolder, "transcripts"), "*.json").Order(StringComparer.Ordinal))
            list.Add((Path.GetFileNameWithoutExtension(file), TranscriptFormat.Parse(File.ReadAllText(file))));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(samplesFolder, "scripts"), "*.txt").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            var body = lines.SkipWhile(l => l.Trim() != "---").Skip(1).Where(l => l.Contains(':')).ToList();
            var language = lines.TakeWhile(l => l.Trim() != "---").FirstOrDefault(l => l.StartsWith("language:"))?.Split(':', 2)[1].Trim() ?? "zh";
            var t = 0.6;
            var segments = new List<TranscriptSegment>();
            foreach (var line in body)
            {
                var (speaker, text) = (line[..line.IndexOf(':')].Trim(), line[(line.IndexOf(':') + 1)..].Trim());
                var duration = Math.Max(1.0, text.Length / (language == "en" ? 14.0 : 4.0));
                segments.Add(new TranscriptSegment(speaker == "agent" ? SpeakerRole.Agent : SpeakerRole.Customer, Math.Round(t, 2), Math.Round(t + duration, 2), text, 0.9));
                t += duration + 0.6;
            }
            list.Add((Path.GetFileNameWithoutExtension(file), new Transcript(segments, TranscriptSource.Imported, language, DurationSeconds: Math.Round(t + 0.5, 2))));
        }
        return list;
    }

    /// <summary>A stereo 8 kHz 16-bit PCM WAV the length of the dialogue: a voiced tone with a syllable-rate envelope on
    /// the speaker's channel during each segment, low noise elsewhere. <paramref name="variant"/> makes each file distinct.</summary>
    public static byte[] Recording(Transcript transcript, int variant)
    {
        const int rate = 8000;
        var seconds = Math.Max(2.0, (transcript.Segments.Max(s => s.End) ?? 10) + 1.0);
        var frames = (int)(seconds * rate);
        var pcm = new short[frames * 2];
        var random = new Random(variant * 7919 + 17);
        foreach (var s in transcript.Segments)
        {
            var channel = s.Speaker == SpeakerRole.Customer ? 1 : 0;
            var pitch = (channel == 0 ? 180 : 240) + variant % 7 * 5;
            for (var i = (int)((s.Start ?? 0) * rate); i < Math.Min(frames, (int)((s.End ?? 0) * rate)); i++)
            {
                var time = (double)i / rate;
                var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 4 * time); // ~4 syllables a second
                var sample = envelope * (Math.Sin(2 * Math.PI * pitch * time) + 0.4 * Math.Sin(2 * Math.PI * 2 * pitch * time));
                pcm[i * 2 + channel] = (short)(sample * 9000);
            }
        }
        for (var i = 0; i < pcm.Length; i++) pcm[i] += (short)random.Next(-60, 61);
        var data = new byte[pcm.Length * 2];
        Buffer.BlockCopy(pcm, 0, data, 0, data.Length);
        return PcmWav.FromPcm16(rate, 2, data);
    }
}
