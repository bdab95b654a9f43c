using QaPipeline.Learning.Reviews;

namespace QaPipeline.Learning.Simulation;

/// <summary>Size and seed of a simulated review history. The same settings always give the same history.</summary>
public sealed record SimulationSettings
{
    public int Seed { get; init; } = 20261122;
    public int Days { get; init; } = 60;
    public int ReviewedCallsPerDay { get; init; } = 12;
    public int Agents { get; init; } = 40;
    public DateOnly FirstDay { get; init; } = new(2026, 9, 1);

    /// <summary>Share of the days on the old rubric version (2026.1) before 2026.2 fixed two rules.</summary>
    public double OldRubricShare { get; init; } = 0.4;
}

/// <summary>
/// Generates a review history for evaluating the learning loop where no real one exists yet. Each reviewed call yields
/// one labelled example per rubric item (the 18 items of the default zh-CN rubric). The automatic verdict comes from
/// the same kind of rule the scorer applies (phrase similarity ≥ 0.7 passes; silence ≥ 10 s or ≥ 3 overlaps fail);
/// the human verdict comes from a hidden truth the model never sees. The hidden rule, i.e. when the machine is wrong:
/// <list type="number">
/// <item>ASR errors (8% of deciding phrases, 20% for agents of team-3, who speak with a regional accent): the deciding words are
///   misheard, confidence drops to 0.25–0.6, and a phrase that was said is missed (or, rarely, one that was not said is matched).</item>
/// <item>Paraphrases: agents often say the empathy / apology / more-help phrase in their own words (similarity 0.5–0.7); the
///   rule fails them, reviewers accept them (always for those three items, 30% of the time for other phrase items).</item>
/// <item>greeting.self_intro under rubric 2026.1 demanded the full name (effective threshold 0.8); reviewers pass 0.6–0.8 matches.</item>
/// <item>attitude.interrupt under 2026.1 counted the customer's back-channel overlaps too; reviewers count only real interruptions.</item>
/// <item>handling.dead_air: a mid-call silence of 10–20 s is usually an announced hold, which reviewers accept.</item>
/// <item>Reviewers themselves slip: 2% of decisions are flipped at random (5% on accuracy.knowledge, which needs judgement).</item>
/// </list>
/// The agent-history feature is computed only from reviews before each call, as the product would.
/// </summary>
public static class ReviewHistorySimulator
{
    public static readonly IReadOnlyList<string> RubricItems =
    [
        "greeting.opening", "greeting.self_intro", "wait.request", "wait.thanks", "closing.more_help", "closing.farewell",
        "courtesy.polite_words", "courtesy.apology", "courtesy.empathy", "handling.confirm", "handling.verify",
        "handling.transfer", "attitude.forbidden", "attitude.interrupt", "handling.dead_air", "handling.speech_rate",
        "accuracy.knowledge", "security.pii_disclosure",
    ];

    private static readonly HashSet<string> ParaphraseAccepted = ["courtesy.empathy", "courtesy.apology", "closing.more_help"];
    private static readonly HashSet<string> ForbiddenItems = ["attitude.forbidden", "security.pii_disclosure"];

    public static IReadOnlyList<ReviewedVerdict> Generate(SimulationSettings settings)
    {
        var random = new Random(settings.Seed);
        var agents = Enumerable.Range(1, settings.Agents).Select(i => new Agent($"agent-{i:D3}", $"team-{i % 5}",
            Skill: 0.75 + 0.2 * random.NextDouble(), Interrupter: random.NextDouble() < 0.2)).ToList();
        var history = agents.ToDictionary(a => a.Id, _ => (Reviewed: 0, Overturned: 0));
        const double floorRate = 0.1;
        var reviews = new List<ReviewedVerdict>();
        var oldRubricDays = (int)Math.Round(settings.Days * settings.OldRubricShare);

        for (var day = 0; day < settings.Days; day++)
        {
            var rubric = day < oldRubricDays ? "2026.1" : "2026.2";
            for (var c = 0; c < settings.ReviewedCallsPerDay; c++)
            {
                var agent = agents[random.Next(agents.Count)];
                var callId = $"call-{day:D3}-{c:D2}";
                var reviewedAt = new DateTimeOffset(settings.FirstDay.AddDays(day).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero).AddMinutes(c * 20);
                var call = new Call(
                    Hold: random.NextDouble() < 0.4,
                    Complaint: random.NextDouble() < 0.5,
                    Transfer: random.NextDouble() < 0.2,
                    Overlaps: Poisson(random, agent.Interrupter ? 3.0 : 1.3),
                    MaxSilence: Math.Min(30, 1.5 + Exponential(random, 4.0)),
                    SilencePosition: random.NextDouble());
                var (rate, overturnedHere) = (AgentHistory.DisagreementRate(history[agent.Id].Reviewed, history[agent.Id].Overturned, floorRate), 0);
                foreach (var item in RubricItems)
                {
                    var (features, disagreed) = Verdict(random, item, agent, call, rubric, rate);
                    reviews.Add(new ReviewedVerdict(callId, agent.Id, reviewedAt, features, disagreed));
                    if (disagreed) overturnedHere++;
                }
                var h = history[agent.Id];
                history[agent.Id] = (h.Reviewed + RubricItems.Count, h.Overturned + overturnedHere);
            }
        }
        return reviews;
    }

    private sealed record Agent(string Id, string Team, double Skill, bool Interrupter)
    {
        public bool Accent => Team == "team-3";
    }

    private sealed record Call(bool Hold, bool Complaint, bool Transfer, int Overlaps, double MaxSilence, double SilencePosition);

    private static (VerdictFeatures Features, bool Disagreed) Verdict(Random random, string item, Agent agent, Call call, string rubric, double agentRate)
    {
        VerdictFeatures Features(string verdict, double similarity, double confidence, double position) =>
            new(item, verdict, Math.Round(similarity, 3), Math.Round(confidence, 3), Math.Round(Math.Clamp(position, 0, 1), 3),
                call.Overlaps, Math.Round(call.MaxSilence, 2), Math.Round(agentRate, 4), rubric);

        bool Slip() => random.NextDouble() < (item == "accuracy.knowledge" ? 0.05 : 0.02);

        var applicable = item switch
        {
            "wait.request" or "wait.thanks" => call.Hold,
            "courtesy.apology" or "courtesy.empathy" => call.Complaint,
            "handling.transfer" => call.Transfer,
            _ => true,
        };
        if (!applicable) return (Features("na", 0, 1, random.NextDouble()), random.NextDouble() < 0.01);

        switch (item)
        {
            case "attitude.interrupt":
            {
                // Real interruptions are about half of all overlaps; 2026.1 counted every overlap, 2026.2 only the agent's.
                var real = Enumerable.Range(0, call.Overlaps).Count(_ => random.NextDouble() < 0.5);
                var counted = rubric == "2026.1" ? call.Overlaps : real + (random.NextDouble() < 0.15 ? 1 : 0);
                var auto = counted >= 3 ? "fail" : "pass";
                var truth = real >= 3 ? "fail" : "pass";
                return (Features(auto, 0, 1, random.NextDouble()), (auto != truth) ^ Slip());
            }
            case "handling.dead_air":
            {
                var auto = call.MaxSilence >= 10 ? "fail" : "pass";
                var announcedHold = call.MaxSilence is >= 10 and < 20 && call.SilencePosition is > 0.3 and < 0.7 && random.NextDouble() < 0.8;
                var truth = call.MaxSilence >= 10 && !announcedHold ? "fail" : "pass";
                return (Features(auto, 0, 1, call.SilencePosition), (auto != truth) ^ Slip());
            }
            case "handling.speech_rate":
            {
                // Accented speech is segmented worse, which inflates the measured rate.
                var auto = random.NextDouble() < (agent.Accent ? 0.25 : 0.08) ? "fail" : "pass";
                var wrong = auto == "fail" && random.NextDouble() < (agent.Accent ? 0.6 : 0.2);
                return (Features(auto, 0, 1, random.NextDouble()), wrong ^ Slip());
            }
        }

        var forbidden = ForbiddenItems.Contains(item);
        var position = item switch
        {
            "greeting.opening" => 0.02 + 0.03 * random.NextDouble(),
            "greeting.self_intro" => 0.03 + 0.05 * random.NextDouble(),
            "closing.more_help" or "closing.farewell" => 0.9 + 0.1 * random.NextDouble(),
            _ => 0.1 + 0.8 * random.NextDouble(),
        };
        var said = forbidden ? random.NextDouble() < 0.05 : random.NextDouble() < agent.Skill;
        var paraphrase = said && !forbidden && random.NextDouble() < 0.3;
        double similarity = !said
            ? (random.NextDouble() < 0.06 ? 0.7 + 0.08 * random.NextDouble() : 0.55 * random.NextDouble())
            : paraphrase ? 0.5 + 0.3 * random.NextDouble() : 0.8 + 0.2 * random.NextDouble();
        var confidence = Math.Clamp(Normal(random, agent.Accent ? 0.74 : 0.88, 0.06), 0.3, 1.0);

        // Injected ASR error: the deciding words are misheard.
        if (random.NextDouble() < (agent.Accent ? 0.2 : 0.08))
        {
            confidence = 0.25 + 0.35 * random.NextDouble();
            similarity = said ? 0.2 + 0.45 * random.NextDouble() : random.NextDouble() < 0.3 ? 0.7 + 0.15 * random.NextDouble() : similarity;
        }

        var threshold = item == "greeting.self_intro" && rubric == "2026.1" ? 0.8 : 0.7;
        var matched = similarity >= threshold;
        string autoVerdict, truthVerdict;
        if (forbidden)
        {
            autoVerdict = matched ? "fail" : "pass";
            truthVerdict = said ? "fail" : "pass";
        }
        else
        {
            autoVerdict = matched ? "pass" : "fail";
            var acceptedParaphrase = paraphrase && (ParaphraseAccepted.Contains(item) || (item == "greeting.self_intro" && similarity >= 0.6) || random.NextDouble() < 0.3);
            truthVerdict = said && (!paraphrase || acceptedParaphrase || similarity >= 0.7) ? "pass" : "fail";
        }
        return (Features(autoVerdict, similarity, confidence, position), (autoVerdict != truthVerdict) ^ Slip());
    }

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit) { k++; p *= random.NextDouble(); }
        return k;
    }

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());

    private static double Normal(Random random, double mean, double sd)
    {
        // Box–Muller; one draw per call keeps the sequence simple to reason about.
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
