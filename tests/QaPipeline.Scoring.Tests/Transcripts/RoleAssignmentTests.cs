using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Tests.Transcripts;

/// <summary>Mono calls whose roles came from speaker separation (segments carry a role confidence): the words
/// decide which voice is the agent, and items decided by turns of uncertain role go to a human.</summary>
public class RoleAssignmentTests
{
    private static TranscriptSegment Seg(string speaker, double start, double end, string text, double roleConfidence) =>
        new(Dialogue.Role(speaker), start, end, text, 0.95, null, roleConfidence);

    /// <summary>An inbound call where separation guessed wrong: the voice it called the agent is the customer.</summary>
    private static Transcript WronglyGuessed() => new(
    [
        Seg("customer", 0.4, 3.0, "您好，欢迎来电，我是客服小王，工号1023，请问有什么可以帮您？", 0.95),
        Seg("agent", 3.5, 6.0, "我想查一下我的快递到哪了", 0.95),
        Seg("customer", 6.5, 9.0, "好的，请您稍等，我帮您查一下", 0.95),
        Seg("agent", 20.0, 21.0, "好的", 0.95),
        Seg("customer", 21.5, 24.0, "您的快递明天送到，请问还有什么可以帮您？", 0.95),
        Seg("agent", 24.5, 25.0, "没有了", 0.95),
        Seg("customer", 25.5, 27.0, "感谢您的来电，再见", 0.95),
    ], TranscriptSource.Whisper);

    [Fact]
    public void Agent_phrases_in_the_turns_given_to_the_customer_swap_the_roles()
    {
        var result = RoleAssignment.Apply(TestRubrics.Zh, WronglyGuessed());

        Assert.True(result.Swapped);
        Assert.True(result.CustomerSide >= 3, result.Reason);
        Assert.Equal(SpeakerRole.Agent, result.Transcript.Segments[0].Speaker);
        Assert.Equal(SpeakerRole.Customer, result.Transcript.Segments[1].Speaker);
    }

    [Fact]
    public void The_scorecard_of_a_wrongly_guessed_mono_call_is_scored_with_the_roles_the_words_give()
    {
        var facts = new AcousticFacts(27, 1,
            new Dictionary<string, SpeakerActivity> { ["agent"] = new(4, [new TimeSpanS(3.5, 6.0)]), ["customer"] = new(9, [new TimeSpanS(0.4, 3.0)]) },
            [], [], new Dictionary<string, double> { ["agent"] = 0.3, ["customer"] = 0.7 })
        {
            Separation = new SpeakerSeparationFacts("mfcc-gmm", 0.95, null, [new RoleTurn(0.4, 3.0, "customer", 0.95)]),
        };

        var card = Scorer.Score(TestRubrics.Zh, WronglyGuessed(), facts);

        Assert.Equal(Verdict.Pass, card.Item("greeting.opening").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("greeting.self_intro").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("closing.farewell").Verdict);
        Assert.Contains("roles_swapped_by_transcript", card.Flags);
        Assert.Contains("roles_estimated", card.Flags);
    }

    /// <summary>
    /// On a separated mono call, figures that rest on who spoke are marked as estimates in the item's reason: the
    /// agent's interruptions always, dead air once an agent's hold announcement excuses a silence. A silence nobody
    /// excused is measured exactly and carries no mark; nor does anything on a stereo call.
    /// </summary>
    [Fact]
    public void Role_dependent_acoustic_figures_of_a_separated_mono_call_are_marked_as_estimated()
    {
        // Segments of a separated call carry a role confidence; a stereo call's do not.
        static Transcript Call(string hold, bool mono = true) => new([
            .. new[]
            {
                ("agent", 0.4, 3.0, "您好，欢迎来电，我是客服小王，请问有什么可以帮您？"),
                ("customer", 3.5, 6.0, "我想查一下我的快递到哪了"),
                ("agent", 6.5, 9.0, hold),
                ("agent", 21.0, 24.0, "您的快递明天送到，感谢您的来电，再见"),
            }.Select(t => new TranscriptSegment(Dialogue.Role(t.Item1), t.Item2, t.Item3, t.Item4, 0.95, null, mono ? 0.95 : null)),
        ], TranscriptSource.Whisper);
        static AcousticFacts Facts(bool mono) => new(25, mono ? 1 : 2,
            new Dictionary<string, SpeakerActivity>
            {
                ["agent"] = new(10.1, [new TimeSpanS(0.4, 3.0), new TimeSpanS(6.5, 9.0), new TimeSpanS(21.0, 24.0)]),
                ["customer"] = new(2.5, [new TimeSpanS(3.5, 6.0)]),
            },
            [new TimeSpanS(9.0, 21.0)], [], new Dictionary<string, double> { ["agent"] = 0.8, ["customer"] = 0.2 })
        {
            Separation = mono ? new SpeakerSeparationFacts("mfcc-gmm", 0.95, null, [new RoleTurn(0.4, 3.0, "agent", 0.95)]) : null,
        };
        const string mark = "estimated: the roles were separated automatically from one channel";

        var excused = Scorer.Score(TestRubrics.Zh, Call("好的，请您稍等，我帮您查一下"), Facts(mono: true));
        var unexcused = Scorer.Score(TestRubrics.Zh, Call("好的，我帮您查一下"), Facts(mono: true));
        var stereo = Scorer.Score(TestRubrics.Zh, Call("好的，请您稍等，我帮您查一下", mono: false), Facts(mono: false));

        Assert.Contains(mark, excused.Item("attitude.interrupt").Reason);
        Assert.Equal(Verdict.Pass, excused.Item("handling.dead_air").Verdict);
        Assert.Contains(mark, excused.Item("handling.dead_air").Reason);
        Assert.Equal(Verdict.Fail, unexcused.Item("handling.dead_air").Verdict);
        Assert.DoesNotContain("estimated", unexcused.Item("handling.dead_air").Reason);
        Assert.DoesNotContain("estimated", stereo.Item("attitude.interrupt").Reason);
        Assert.DoesNotContain("estimated", stereo.Item("handling.dead_air").Reason);
    }

    [Fact]
    public void Words_that_agree_with_the_acoustic_guess_keep_the_roles_and_their_confidence()
    {
        var t = new Transcript([
            Seg("agent", 0.4, 3.0, "您好，欢迎来电，我是客服小王", 0.8),
            Seg("customer", 3.5, 6.0, "我想查快递", 0.8),
            Seg("agent", 6.5, 8.0, "感谢您的来电，再见", 0.8),
        ], TranscriptSource.Whisper);

        var result = RoleAssignment.Apply(TestRubrics.Zh, t);

        Assert.False(result.Swapped);
        Assert.True(result.AgentSide >= 2, result.Reason);
        Assert.Equal(t, result.Transcript);
    }

    [Fact]
    public void A_single_agent_phrase_from_the_customer_does_not_swap_the_roles()
    {
        var t = new Transcript([
            Seg("agent", 0.4, 3.0, "喂，哪位", 0.9),
            Seg("customer", 3.5, 6.0, "你好，我想查快递", 0.9),
        ], TranscriptSource.Whisper);

        Assert.False(RoleAssignment.Apply(TestRubrics.Zh, t).Swapped);
    }

    [Fact]
    public void A_greeting_in_a_turn_of_low_role_confidence_goes_to_review_with_the_reason()
    {
        var t = new Transcript([
            Seg("agent", 0.4, 3.0, "您好，欢迎来电", 0.55),
            Seg("customer", 3.5, 6.0, "我想查快递", 0.9),
        ], TranscriptSource.Whisper);

        var item = Scorer.Score(TestRubrics.Zh, t).Item("greeting.opening");

        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Equal(0, item.Deduction);
        Assert.Contains("who said it is uncertain", item.Reason);
        Assert.Contains("0.55", item.Reason);
    }

    [Fact]
    public void A_missing_closing_searched_in_turns_of_low_role_confidence_goes_to_review_not_fail()
    {
        var t = new Transcript([
            Seg("agent", 0.4, 3.0, "您好，欢迎来电，我是小王", 0.95),
            Seg("customer", 3.5, 6.0, "我想查快递", 0.95),
            Seg("agent", 6.5, 8.0, "明天送到", 0.95),
            Seg("customer", 8.5, 9.0, "好", 0.95),
            Seg("agent", 9.5, 11.0, "嗯好的", 0.5),
        ], TranscriptSource.Whisper);

        var item = Scorer.Score(TestRubrics.Zh, t).Item("closing.farewell");

        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("separated automatically", item.Reason);
    }

    [Fact]
    public void The_same_greeting_with_a_sure_role_still_passes()
    {
        var t = new Transcript([
            Seg("agent", 0.4, 3.0, "您好，欢迎来电", 0.97),
            Seg("customer", 3.5, 6.0, "我想查快递", 0.97),
        ], TranscriptSource.Whisper);

        Assert.Equal(Verdict.Pass, Scorer.Score(TestRubrics.Zh, t).Item("greeting.opening").Verdict);
    }

    [Fact]
    public void Role_confidence_survives_the_transcript_json_round_trip()
    {
        var json = TranscriptFormat.ToJson(new Transcript([Seg("agent", 0, 1, "您好", 0.62)], TranscriptSource.Whisper));

        Assert.Contains("\"role_confidence\":0.62", json);
        Assert.Equal(0.62, TranscriptFormat.Parse(json).Segments[0].RoleConfidence);
    }
}
