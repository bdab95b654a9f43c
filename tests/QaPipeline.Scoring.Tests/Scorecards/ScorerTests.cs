using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Tests.Scorecards;

/// <summary>Each rule kind on realistic Mandarin service dialogues, with ASR-style noise that must still
/// match and near misses that must not.</summary>
public class ScorerTests
{
    private static Scorecard Zh(Transcript t, AcousticFacts? facts = null) => Scorer.Score(TestRubrics.Zh, t, facts);

    // ---- required phrase --------------------------------------------------------------------------

    [Fact]
    public void Greeting_in_the_first_turn_passes_with_its_words_as_evidence()
    {
        var card = Zh(Dialogue.Timed(("agent", 0.4, 3.0, "您好，欢迎来电，请问有什么可以帮您？"), ("customer", 3.5, 5.0, "我想查个快递")));
        var item = card.Item("greeting.opening");
        Assert.Equal(Verdict.Pass, item.Verdict);
        var ev = Assert.Single(item.Evidence);
        Assert.Equal((0.4, 3.0), (ev.Start!.Value, ev.End!.Value));
        Assert.Equal(SpeakerRole.Agent, ev.Speaker);
    }

    [Fact]
    public void A_matched_phrase_keeps_the_words_of_the_line_it_matched_and_the_stored_scorecard_keeps_them_too()
    {
        var card = Zh(Dialogue.Timed(("agent", 0.3, 3.5, "嗯嗯，您好歡迎來電我是客服小張請問有什麼可以幫您"), ("customer", 4.0, 6.0, "查快递")));
        var ev = Assert.Single(card.Item("greeting.opening").Evidence);
        Assert.NotNull(ev.Words);
        Assert.Contains(ev.Words!, ev.Text); // a part of the line as spoken (traditional characters kept), not the rubric's phrase
        Assert.StartsWith("您好", ev.Words);
        Assert.True(ev.Words.Length < ev.Text.Length, $"'{ev.Words}' should be less than the whole line");
        Assert.Equal(ev.Words, ScorecardJson.Parse(ScorecardJson.Write(card)).Items.Single(i => i.Id == "greeting.opening").Evidence.Single().Words);
    }

    [Fact]
    public void Greeting_missing_in_first_15_seconds_fails_the_item_and_shows_the_window_searched()
    {
        var card = Zh(Dialogue.Timed(("agent", 0.4, 3.0, "喂，什么事？"), ("customer", 3.5, 5.0, "查快递"),
            ("agent", 20.0, 22.0, "您好")));
        var item = card.Item("greeting.opening");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Equal(5, item.Deduction);
        Assert.NotNull(item.Window);
        Assert.Equal(1, item.Window!.FirstTurn);
        Assert.Equal("喂，什么事？", Assert.Single(item.Evidence).Text);
    }

    [Fact]
    public void Traditional_characters_homophones_and_no_punctuation_still_match()
    {
        var card = Zh(Dialogue.Timed(
            ("agent", 0.3, 3.5, "嗯您好歡迎來電我是客服小張請問有什麼可以幫您"),
            ("customer", 4.0, 6.0, "好的没事了"),
            ("agent", 6.5, 8.0, "還有其他問題嗎"),
            ("customer", 8.2, 8.8, "没了"),
            ("agent", 9.0, 10.5, "感謝您的來電在見")));
        Assert.Equal(Verdict.Pass, card.Item("greeting.opening").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("greeting.self_intro").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("closing.farewell").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("closing.more_help").Verdict);
    }

    [Fact]
    public void Real_agents_wording_with_particles_and_nicknames_generalises()
    {
        var card = Zh(Dialogue.Plain("""
            坐席：亲，您好呀，小妹这边是星河客服哈，请问有什么可以帮到您呢
            客户：问个事
            坐席：好的呢
            客户：算了没事了
            坐席：好的哦，那请问还有什么可以帮到您的吗
            客户：没有
            坐席：好的，感谢您的来电哦，再见
            """));
        Assert.Equal(Verdict.Pass, card.Item("greeting.opening").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("closing.more_help").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("closing.farewell").Verdict);
    }

    [Fact]
    public void The_closing_question_is_not_mistaken_for_an_opening_greeting()
    {
        var card = Zh(Dialogue.Plain("坐席：请问还有什么可以帮您\n客户：没有了"));
        Assert.Equal(Verdict.Fail, card.Item("greeting.opening").Verdict);
    }

    // ---- forbidden phrase -------------------------------------------------------------------------

    [Fact]
    public void Forbidden_phrase_anywhere_deducts_with_every_occurrence_as_evidence()
    {
        var card = Zh(Dialogue.Plain("坐席：您好\n客户：快递到哪了\n坐席：这个不归我们管\n客户：啊？\n坐席：我不是说了吗"));
        var item = card.Item("attitude.forbidden");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Equal(10, item.Deduction);
        Assert.Equal(2, item.Evidence.Count);
    }

    [Fact]
    public void A_bare_refusal_as_the_agents_whole_turn_goes_to_a_monitor_but_an_apology_in_the_same_turn_makes_it_an_answer()
    {
        var cold = Zh(Dialogue.Timed(("agent", 0.5, 2.0, "您好"), ("customer", 2.5, 4.0, "能晚上送吗"),
            ("agent", 4.5, 6.0, "晚上是不送货的"), ("agent", 6.2, 7.5, "这个没办法改的哦")));
        var item = cold.Item("attitude.forbidden");
        // Cold refusal or plain information is the guide's hardest boundary: the shipped rubric sends it to a person.
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Equal(0, item.Deduction);
        var ev = Assert.Single(item.Evidence);
        // The evidence is the whole turn (both segments: the guide reads a line as the turn) with the refusal's words.
        Assert.Equal((4.5, 7.5), (ev.Start!.Value, ev.End!.Value));
        Assert.Contains("晚上是不送货的", ev.Text);
        Assert.Equal("没办法", ev.Words);

        // The apology is in the turn's first segment, the refusal in its second: read together, not cold.
        var sorry = Zh(Dialogue.Timed(("agent", 0.5, 2.0, "您好"), ("customer", 2.5, 4.0, "能晚上送吗"),
            ("agent", 4.5, 6.0, "真是抱歉"), ("agent", 6.2, 7.5, "这个没办法改的哦")));
        Assert.Equal(Verdict.Pass, sorry.Item("attitude.forbidden").Verdict);

        // A listed brush-off in another turn still deducts, with both turns as evidence.
        var both = Zh(Dialogue.Timed(("agent", 0.5, 2.0, "您好"), ("customer", 2.5, 4.0, "能晚上送吗"),
            ("agent", 4.5, 6.0, "这个没办法改的哦"), ("customer", 6.5, 7.5, "那怎么办"), ("agent", 8.0, 9.0, "这是规定")));
        Assert.Equal(Verdict.Fail, both.Item("attitude.forbidden").Verdict);
        Assert.Equal(2, both.Item("attitude.forbidden").Evidence.Count);
    }

    [Fact]
    public void Insulting_the_customer_is_fatal_and_zeroes_the_call()
    {
        var card = Zh(Dialogue.Plain("坐席：您好，请问有什么可以帮您\n客户：你们怎么回事\n坐席：你有病吧"));
        Assert.True(card.Fatal);
        Assert.Equal(0, card.Score);
        Assert.Contains("fatal", card.Flags);
        Assert.Equal(Verdict.Fail, card.Item("attitude.insult").Verdict);
    }

    [Fact]
    public void Reading_out_a_full_id_card_number_is_a_fatal_disclosure_but_a_phone_read_back_is_not()
    {
        var disclosure = Zh(Dialogue.Plain("坐席：您好\n客户：我的身份证号是多少\n坐席：您的身份证号是110105194912310021"));
        Assert.Equal(Verdict.Fail, disclosure.Item("security.pii_disclosure").Verdict);
        Assert.True(disclosure.Fatal);
        var phone = Zh(Dialogue.Plain("坐席：您好\n客户：13812345678\n坐席：您的号码是13812345678对吗"));
        Assert.Equal(Verdict.Pass, phone.Item("security.pii_disclosure").Verdict);
    }

    // ---- review phrases ---------------------------------------------------------------------------

    private static Transcript NumberGiven(string agentReply) => Dialogue.Timed(
        ("agent", 0.5, 3.0, "您好，欢迎来电，我是8号客服"),
        ("customer", 3.5, 6.0, "我换了新号码，是一三八一二三四五六七八"),
        ("agent", 6.5, 9.0, agentReply));

    [Fact]
    public void A_confirmation_found_only_by_a_review_phrase_goes_to_a_monitor_with_the_words()
    {
        var item = Zh(NumberGiven("您是想改成新的吗")).Item("handling.confirm");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("review phrase '您是…吗'", item.Reason);
        Assert.Contains(item.Evidence, e => e.Words == "您是想改成新的吗");
    }

    [Fact]
    public void A_confirmation_in_a_deciding_phrase_still_passes_beside_a_review_phrase()
    {
        var item = Zh(NumberGiven("您是想改成新的吗，跟您确认一下")).Item("handling.confirm");
        Assert.Equal(Verdict.Pass, item.Verdict);
        Assert.Contains(item.Evidence, e => e.Phrase == "跟您确认一下");
    }

    [Fact]
    public void A_check_with_words_between_who_and_what_is_reviewed_not_passed()
    {
        var t = Dialogue.Timed(
            ("customer", 0.5, 3.0, "帮我查一下订单到哪了"),
            ("agent", 3.5, 6.0, "好的，小妹这边马上替您仔细核实"));
        var item = Zh(t).Item("handling.verify");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("a monitor decides", item.Reason);
        var line = Scorer.DetectInLine(TestRubrics.Zh.Items.Single(i => i.Id == "handling.verify"), QaPipeline.Scoring.TextNormalization.SpeechText.Parse("好的，小妹这边马上替您仔细核实"));
        Assert.True(line is { Review: true });
        // A deciding phrase in the same kind of line is no review.
        Assert.True(Scorer.DetectInLine(TestRubrics.Zh.Items.Single(i => i.Id == "handling.verify"),
            QaPipeline.Scoring.TextNormalization.SpeechText.Parse("好的，帮您查询一下")) is { Review: false });
    }

    // ---- conditional ------------------------------------------------------------------------------

    private static Transcript Hold(string before, string after, double silence = 15) => Dialogue.Timed(
        ("agent", 0.5, 3.0, "您好，欢迎来电，我是8号客服"),
        ("customer", 3.5, 6.0, "我的订单怎么还没发货"),
        ("agent", 6.5, 9.0, before),
        ("agent", 9.0 + silence, 12.0 + silence, after),
        ("customer", 12.5 + silence, 14.0 + silence, "好的谢谢"));

    [Fact]
    public void A_silence_over_10_seconds_announced_and_thanked_passes_both_wait_items()
    {
        var card = Zh(Hold("好的，请您稍等，我这边帮您查询一下", "感谢您的耐心等待，您的订单明天发货"));
        Assert.Equal(Verdict.Pass, card.Item("wait.request").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("wait.thanks").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("handling.dead_air").Verdict);
    }

    [Fact]
    public void Asking_to_be_patient_about_a_delivery_is_not_thanks_for_waiting()
    {
        var card = Zh(Hold("请您稍等", "请您耐心等待快递，明天就到"));
        var item = card.Item("wait.thanks");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Contains(item.Evidence, e => e.Text.StartsWith("[silence", StringComparison.Ordinal));
    }

    [Fact]
    public void Unannounced_silence_fails_the_hold_request_and_counts_as_dead_air()
    {
        var card = Zh(Hold("我看看", "让您久等了，明天发货"));
        Assert.Equal(Verdict.Fail, card.Item("wait.request").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("wait.thanks").Verdict);
        Assert.Equal(Verdict.Fail, card.Item("handling.dead_air").Verdict);
    }

    [Fact]
    public void Without_timing_silence_rules_are_not_applicable()
    {
        var card = Zh(Dialogue.Plain("坐席：您好\n客户：你好"));
        Assert.Equal(Verdict.Na, card.Item("wait.request").Verdict);
        Assert.Contains("no_timing", card.Flags);
    }

    [Fact]
    public void A_complaint_must_get_an_apology_and_empathy_within_two_agent_turns()
    {
        var good = Zh(Dialogue.Plain("坐席：您好\n客户：我要投诉，你们的快递太慢了\n坐席：非常抱歉给您带来不便，您的心情我非常理解"));
        Assert.Equal(Verdict.Pass, good.Item("courtesy.apology").Verdict);
        Assert.Equal(Verdict.Pass, good.Item("courtesy.empathy").Verdict);
        var bad = Zh(Dialogue.Plain("坐席：您好\n客户：我要投诉，你们的快递太慢了\n坐席：那你想怎么样\n客户：退钱\n坐席：退不了"));
        Assert.Equal(Verdict.Fail, bad.Item("courtesy.apology").Verdict);
        Assert.Equal(Verdict.Fail, bad.Item("courtesy.empathy").Verdict);
    }

    [Fact]
    public void No_complaint_means_apology_is_not_applicable()
    {
        var card = Zh(Dialogue.Plain("坐席：您好\n客户：我想问个问题"));
        Assert.Equal(Verdict.Na, card.Item("courtesy.apology").Verdict);
    }

    [Fact]
    public void Reading_back_the_customers_number_confirms_it_even_without_confirm_words()
    {
        var card = Zh(Dialogue.Plain("坐席：您好\n客户：一三八一二三四五六七八\n坐席：好的，138 1234 5678，我记下了"));
        Assert.Equal(Verdict.Pass, card.Item("handling.confirm").Verdict);
        var missing = Zh(Dialogue.Plain("坐席：您好\n客户：13812345678\n坐席：好的\n客户：嗯\n坐席：我看一下"));
        Assert.Equal(Verdict.Fail, missing.Item("handling.confirm").Verdict);
    }

    [Fact]
    public void Telling_the_customer_to_check_themselves_is_not_verifying()
    {
        var good = Zh(Dialogue.Plain("坐席：您好\n客户：帮我查一下快递到哪了\n坐席：好的，我这边帮您查询一下"));
        Assert.Equal(Verdict.Pass, good.Item("handling.verify").Verdict);
        var bad = Zh(Dialogue.Plain("坐席：您好\n客户：帮我查一下快递到哪了\n坐席：您可以自己在APP上查询一下"));
        Assert.Equal(Verdict.Fail, bad.Item("handling.verify").Verdict);
    }

    [Fact]
    public void A_transfer_without_telling_the_customer_to_stay_on_the_line_fails()
    {
        var bad = Zh(Dialogue.Plain("坐席：您好\n客户：我要退保\n坐席：我给你转过去"));
        Assert.Equal(Verdict.Fail, bad.Item("handling.transfer").Verdict);
        var good = Zh(Dialogue.Plain("坐席：您好\n客户：我要退保\n坐席：好的，这边为您转接到保全部门，请不要挂机"));
        Assert.Equal(Verdict.Pass, good.Item("handling.transfer").Verdict);
    }

    // ---- rate and ratio ---------------------------------------------------------------------------

    [Fact]
    public void Polite_word_share_below_the_minimum_fails()
    {
        var card = Zh(Dialogue.Plain("坐席：喂\n客户：在吗\n坐席：说\n客户：快递\n坐席：等着\n客户：多久\n坐席：明天\n客户：行"));
        var item = card.Item("courtesy.polite_words");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Contains("0 of 4", item.Reason);
    }

    [Fact]
    public void Addressing_the_customer_as_ni_instead_of_nin_fails_the_pronoun_ratio_but_plural_nimen_does_not_count()
    {
        var bad = Zh(Dialogue.Plain("坐席：你好\n客户：嗯\n坐席：你要查什么\n客户：快递\n坐席：你等一下"));
        Assert.Equal(Verdict.Fail, bad.Item("courtesy.pronoun").Verdict);
        var plural = Zh(Dialogue.Plain("坐席：您好\n客户：嗯\n坐席：您要查什么，你们家几个人\n客户：快递\n坐席：您稍等"));
        Assert.Equal(Verdict.Pass, plural.Item("courtesy.pronoun").Verdict);
    }

    [Fact]
    public void Speaking_too_fast_fails_the_speech_rate_item()
    {
        // 60 characters in 6 s of speech, repeated: 600 characters per minute.
        var fast = string.Concat(Enumerable.Repeat("您好这边帮您查询一下订单", 5));
        var card = Zh(Dialogue.Timed(("agent", 0, 6, fast), ("customer", 6.5, 7, "嗯"), ("agent", 7.5, 13.5, fast),
            ("customer", 14, 15, "好"), ("agent", 15.5, 21.5, fast), ("customer", 22, 23, "好"), ("agent", 23.5, 29.5, fast)));
        var item = card.Item("handling.speech_rate");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Contains("600 characters/min", item.Reason);
    }

    [Fact]
    public void Speech_rate_uses_the_voice_activity_speech_time_when_acoustic_facts_are_given()
    {
        // 240 characters over 60 s of segment time, but VAD heard only 30 s of agent speech: 480/min.
        var line = string.Concat(Enumerable.Repeat("您好这边帮您查询一下订单", 5));
        var t = Dialogue.Timed(("agent", 0, 15, line), ("agent", 20, 35, line), ("agent", 40, 55, line), ("agent", 60, 75, line));
        Assert.Equal(Verdict.Pass, Zh(t).Item("handling.speech_rate").Verdict);
        var facts = Dialogue.Facts(80) with
        {
            Speakers = new Dictionary<string, SpeakerActivity> { ["agent"] = new(30, []), ["customer"] = new(0, []) },
        };
        var item = Zh(t, facts).Item("handling.speech_rate");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Contains("480 characters/min over 30 s", item.Reason);
    }

    // ---- acoustic facts ---------------------------------------------------------------------------

    [Fact]
    public void Agent_talking_over_the_customer_for_over_a_second_fails_interrupt_using_the_audio_facts()
    {
        var t = Dialogue.Timed(("agent", 0, 3, "您好"), ("customer", 3.5, 9, "我想问一下"), ("agent", 7, 10, "您说"));
        var card = Zh(t, Dialogue.Facts(12, overlaps: [new Overlap(7.0, 9.0, "agent"), new Overlap(1.0, 1.6, "customer")]));
        var item = card.Item("attitude.interrupt");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Equal(7.0, Assert.Single(item.Evidence).Start);
        Assert.Equal(Verdict.Na, Zh(t).Item("attitude.interrupt").Verdict);
        Assert.Contains("no_acoustic_facts", Zh(t).Flags);
    }

    [Fact]
    public void A_mono_recording_without_roles_marks_speaker_items_not_applicable()
    {
        var t = new Transcript([new TranscriptSegment(SpeakerRole.Mixed, 0, 3, "您好欢迎来电")], TranscriptSource.Whisper);
        var mono = new AcousticFacts(3, 1, new Dictionary<string, SpeakerActivity> { ["mixed"] = new(3, [new TimeSpanS(0, 3)]) },
            [], [], new Dictionary<string, double>());
        var card = Zh(t, mono);
        Assert.Contains("roles_unknown", card.Flags);
        Assert.Equal(Verdict.Na, card.Item("greeting.opening").Verdict);
        Assert.Equal(Verdict.Pass, card.Item("handling.dead_air").Verdict);
    }

    [Fact]
    public void A_mono_recording_whose_separation_found_one_voice_sends_speaker_items_to_review_with_the_reason()
    {
        var t = new Transcript([new TranscriptSegment(SpeakerRole.Mixed, 0, 3, "您好欢迎来电")], TranscriptSource.Whisper);
        var mono = new AcousticFacts(3, 1, new Dictionary<string, SpeakerActivity> { ["mixed"] = new(3, [new TimeSpanS(0, 3)]) },
            [], [], new Dictionary<string, double>())
        {
            Separation = SpeakerSeparationFacts.Impossible("one speaker: two voice models predict unseen speech no better than one"),
        };
        var card = Zh(t, mono);
        var greeting = card.Item("greeting.opening");
        Assert.Equal(Verdict.Review, greeting.Verdict);
        Assert.Contains("could not be told apart", greeting.Reason);
        Assert.Contains("one speaker: two voice models", greeting.Reason);
        Assert.Contains("needs_review", card.Flags);
        Assert.Contains("roles_unknown", card.Flags);
        // Silence does not depend on who speaks: still scored.
        Assert.Equal(Verdict.Pass, card.Item("handling.dead_air").Verdict);
    }

    // ---- knowledge --------------------------------------------------------------------------------

    [Fact]
    public void Stating_the_configured_refund_period_passes_and_contradicting_it_fails()
    {
        var right = Zh(Dialogue.Plain("坐席：您好\n客户：退款要多久\n坐席：退款会在七个工作日内原路退回"));
        Assert.Equal(Verdict.Pass, right.Item("accuracy.knowledge").Verdict);
        var wrong = Zh(Dialogue.Plain("坐席：您好\n客户：退款要多久\n坐席：一般十五个工作日吧"));
        var item = wrong.Item("accuracy.knowledge");
        Assert.Equal(Verdict.Fail, item.Verdict);
        Assert.Contains("contradicted", item.Reason);
        var none = Zh(Dialogue.Plain("坐席：您好\n客户：怎么开发票"));
        Assert.Equal(Verdict.Na, none.Item("accuracy.knowledge").Verdict);
    }

    // ---- confidence and review ----------------------------------------------------------------------

    [Fact]
    public void A_greeting_heard_only_with_low_asr_confidence_goes_to_review_not_pass()
    {
        var card = Zh(Dialogue.Timed(("agent", 0.4, 3.0, "您好欢迎来电", (double?)0.35), ("customer", 3.5, 5.0, "嗯", (double?)0.9)));
        var item = card.Item("greeting.opening");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Equal(0, item.Deduction);
        Assert.Contains("needs_review", card.Flags);
    }

    [Fact]
    public void A_missing_phrase_in_low_confidence_speech_goes_to_review_not_fail()
    {
        var card = Zh(Dialogue.Timed(("agent", 0.4, 3.0, "嗯那个喂", (double?)0.3), ("customer", 3.5, 5.0, "嗯", (double?)0.9)));
        Assert.Equal(Verdict.Review, card.Item("greeting.opening").Verdict);
    }

    [Fact]
    public void A_near_miss_goes_to_review()
    {
        // "您好欢来" is 3 of 4 characters of 欢迎来电: close, but below the threshold.
        var card = Zh(Dialogue.Timed(("agent", 0.4, 3.0, "欢迎来"), ("customer", 3.5, 5.0, "嗯")));
        var item = card.Item("greeting.opening");
        Assert.Equal(Verdict.Review, item.Verdict);
        Assert.Contains("only nearly matched", item.Reason);
    }

    // ---- the scorecard as a whole -------------------------------------------------------------------

    [Fact]
    public void Every_rubric_item_appears_exactly_once_and_every_deduction_has_evidence_or_a_window()
    {
        var card = Zh(Dialogue.Plain(File.ReadAllText(Path.Combine(TestRubrics.RepoRoot, "samples", "transcripts", "call-002-poor.txt"))));
        Assert.Equal(TestRubrics.Zh.Items.Select(i => i.Id), card.Items.Select(i => i.Id));
        Assert.All(card.Items.Where(i => i.Deduction > 0), i => Assert.True(i.Evidence.Count > 0 || i.Window is not null, i.Id));
        Assert.Equal(100 - card.Items.GroupBy(i => i.Category)
            .Sum(g => Math.Min(g.Sum(i => i.Deduction), TestRubrics.Zh.Category(g.Key).Weight)), card.Score);
        Assert.Contains("below_pass_score", card.Flags);
    }

    [Fact]
    public void A_transcript_with_no_agent_speech_marks_agent_items_not_applicable_and_flags_it()
    {
        var card = Zh(Dialogue.Plain("客户：喂？有人吗\n客户：喂？"));
        Assert.All(card.Items, i => Assert.Equal(Verdict.Na, i.Verdict));
        Assert.Contains("no_agent_speech", card.Flags);
        Assert.Equal(100, card.Score);
    }

    [Fact]
    public void Deductions_in_a_category_never_exceed_its_weight()
    {
        var card = Zh(Dialogue.Plain("坐席：喂\n客户：投诉\n坐席：你自己看\n客户：帮我查一下\n坐席：不知道\n客户：什么破服务\n坐席：你等着吧"));
        var attitude = card.Items.Where(i => i.Category == "attitude").Sum(i => i.Deduction);
        Assert.True(card.Score >= 100 - TestRubrics.Zh.Categories.Sum(c => c.Weight));
        Assert.True(attitude > 0);
    }

    // ---- English ----------------------------------------------------------------------------------

    [Fact]
    public void English_call_scores_with_the_same_item_ids()
    {
        var card = Scorer.Score(TestRubrics.En, Dialogue.Plain("""
            Agent: Good morning, thank you for calling Acme, my name is Sam. How can I help you?
            Customer: My parcel still hasn't arrived, this is ridiculous.
            Agent: I'm so sorry about that, I completely understand. Let me check that for you.
            Customer: Can you check where my order is?
            Agent: Let me look into it. It will arrive tomorrow.
            Customer: OK.
            Agent: Is there anything else I can help you with?
            Customer: No.
            Agent: Thank you for calling, have a nice day.
            """));
        foreach (var id in new[] { "greeting.opening", "greeting.self_intro", "courtesy.apology", "courtesy.empathy", "handling.verify", "closing.more_help", "closing.farewell" })
            Assert.True(card.Item(id).Verdict == Verdict.Pass, $"{id}: {card.Item(id).Reason}");
        var rude = Scorer.Score(TestRubrics.En, Dialogue.Plain("Agent: What.\nCustomer: Where is my order?\nAgent: I don't know, shut up."));
        Assert.Equal(Verdict.Fail, rude.Item("attitude.forbidden").Verdict);
        Assert.True(rude.Fatal);
    }
}
