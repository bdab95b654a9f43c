using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Scoring.Transcripts;

/// <summary>
/// Checks, from the words, which voice of a separated mono call is the agent. Speaker separation only knows who
/// spoke first; the words know better: the agent greets, introduces themself, announces holds and closes the call,
/// so the phrases of the rubric's agent-side required-phrase items (greeting, self-introduction, closing) and hold
/// responses (conditional on a silence) are counted in each side's turns; forbidden phrases and courtesy words are
/// left out, a customer says those too. When the side labelled customer
/// says clearly more of them, the acoustic guess was wrong and the roles are swapped.
/// </summary>
public static class RoleAssignment
{
    /// <summary>Agent phrases the customer side must show, and by how many more than the agent side, before the
    /// words overrule the acoustic guess: one stray "您好" from a customer must not swap a call.</summary>
    public const int MinAgentPhrasesToSwap = 2;

    /// <summary>What the words said about the roles.</summary>
    /// <param name="Transcript">The transcript with the roles as decided (swapped when <paramref name="Swapped"/>).</param>
    /// <param name="AgentSide">Agent-side phrases heard in turns labelled agent (before any swap).</param>
    /// <param name="CustomerSide">Agent-side phrases heard in turns labelled customer (before any swap).</param>
    public sealed record Result(Transcript Transcript, bool Swapped, int AgentSide, int CustomerSide)
    {
        public string Reason => Swapped
            ? $"roles swapped by the words: {CustomerSide} agent phrases in the turns separation gave the customer, {AgentSide} in the agent's"
            : $"roles kept: {AgentSide} agent phrases in the agent's turns, {CustomerSide} in the customer's";
    }

    /// <summary>Applies the check to a transcript whose roles came from speaker separation (segments carrying a
    /// role confidence); other transcripts come back unchanged. Role confidences stay as the separation gave them
    /// either way: the words settle which voice is the agent, not whether each turn was given to the right voice.</summary>
    public static Result Apply(Rubric rubric, Transcript transcript)
    {
        if (!transcript.Segments.Any(s => s.RoleConfidence is not null)) return new Result(transcript, false, 0, 0);
        var agentItems = rubric.Items
            .Where(i => i.Speaker == SpeakerRole.Agent && i.Rule is RequiredPhraseRule or ConditionalRule { Trigger.Kind: TriggerKind.Silence })
            .Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        int Count(SpeakerRole side) => transcript.Segments.Where(s => s.Speaker == side)
            .Sum(s => Scorer.MatchLine(rubric, s.Text, SpeakerRole.Agent).Count(agentItems.Contains));
        var agentSide = Count(SpeakerRole.Agent);
        var customerSide = Count(SpeakerRole.Customer);
        var swap = customerSide >= MinAgentPhrasesToSwap && customerSide >= agentSide + MinAgentPhrasesToSwap;
        if (swap)
            return new Result(transcript with { Segments = transcript.Segments.Select(s => s with { Speaker = Other(s.Speaker) }).ToList() },
                true, agentSide, customerSide);
        return new Result(transcript, false, agentSide, customerSide);
    }

    /// <summary>The acoustic facts with agent and customer exchanged (after the words swapped the roles).</summary>
    public static AcousticFacts Swap(AcousticFacts facts)
    {
        string Flip(string role) => role == "agent" ? "customer" : role == "customer" ? "agent" : role;
        return facts with
        {
            Speakers = facts.Speakers.ToDictionary(kv => Flip(kv.Key), kv => kv.Value),
            TalkRatio = facts.TalkRatio.ToDictionary(kv => Flip(kv.Key), kv => kv.Value),
            Overlaps = facts.Overlaps.Select(o => o with { By = Flip(o.By) }).ToList(),
            Dynamics = facts.Dynamics is { } d ? d with { LongestMonologue = d.LongestMonologue.ToDictionary(kv => Flip(kv.Key), kv => kv.Value) } : null,
            Separation = facts.Separation is { } s ? s with { Turns = s.Turns.Select(t => t with { Speaker = Flip(t.Speaker) }).ToList() } : null,
        };
    }

    private static SpeakerRole Other(SpeakerRole role) =>
        role == SpeakerRole.Agent ? SpeakerRole.Customer : role == SpeakerRole.Customer ? SpeakerRole.Agent : role;
}
