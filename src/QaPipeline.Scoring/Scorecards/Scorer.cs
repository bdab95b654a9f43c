using System.Globalization;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>
/// Scores a call: transcript + optional acoustic facts + rubric in, scorecard out. Pure and thread-safe.
/// Every rubric item gets exactly one verdict. Where the deciding words were recognised with low
/// confidence, or a phrase only nearly matched, the verdict is <see cref="Verdict.Review"/>: the item goes
/// to a human instead of being silently passed or failed.
/// </summary>
public static class Scorer
{
    public static Scorecard Score(Rubric rubric, Transcript transcript, AcousticFacts? facts = null)
    {
        // A mono call's roles come from speaker separation; the words may overrule which voice is the agent.
        var roles = RoleAssignment.Apply(rubric, transcript);
        transcript = roles.Transcript;
        if (roles.Swapped && facts is not null) facts = RoleAssignment.Swap(facts);
        var call = new CallView(transcript, facts);
        var verdicts = new List<ItemVerdict>(rubric.Items.Count);
        foreach (var item in rubric.Items)
            verdicts.Add(new ItemScorer(rubric, item, call).Evaluate());

        var fatal = verdicts.Any(v => v.Fatal && v.Verdict == Verdict.Fail);
        var score = Total(rubric, rubric.MaxScore, verdicts.Select(v => new ItemOutcome(v.Category, v.Verdict, v.Deduction, v.Fatal)));

        var flags = new List<string>();
        if (fatal) flags.Add("fatal");
        if (verdicts.Any(v => v.Verdict == Verdict.Review)) flags.Add("needs_review");
        if (score < rubric.PassScore) flags.Add("below_pass_score");
        if (!call.TurnsOf(SpeakerRole.Agent).Any() && call.RolesKnown) flags.Add("no_agent_speech");
        if (!call.RolesKnown) flags.Add("roles_unknown");
        // Mono call split into agent and customer by speaker separation: talk ratio, overlaps and who said what are
        // estimates, and the reviewer should know.
        if (facts?.RolesEstimated == true || transcript.Segments.Any(s => s.RoleConfidence is not null)) flags.Add("roles_estimated");
        if (roles.Swapped) flags.Add("roles_swapped_by_transcript");
        if (!call.Timed) flags.Add("no_timing");
        if (facts is null && rubric.Items.Any(i => i.Rule is AcousticRule)) flags.Add("no_acoustic_facts");
        var confidences = call.Segments.Select(s => s.Confidence).OfType<double>().ToList();
        if (confidences.Count > 0 && confidences.Average() < rubric.Settings.LowAsrConfidence) flags.Add("low_asr_confidence");
        return new Scorecard(rubric.Id, rubric.Version, score, rubric.MaxScore, rubric.PassScore, fatal, verdicts, flags)
        {
            CallReasons = CallReasonDetector.Detect(rubric, call),
        };
    }

    /// <summary>
    /// The scoring rule, for the machine's verdicts and a person's alike (a monitor's final score, a calibration
    /// rater's total): a failed fatal item zeroes the call; otherwise the failed items' deductions are taken from the
    /// maximum, capped per category — a call cannot lose more than a category is worth. Without the rubric (a
    /// scorecard of a rubric version no longer on disk) deductions are not capped.
    /// </summary>
    public static double Total(Rubric? rubric, double maxScore, IEnumerable<ItemOutcome> items)
    {
        var failed = items.Where(i => i.Verdict == Verdict.Fail).ToList();
        if (failed.Any(i => i.Fatal)) return 0;
        var deducted = failed.GroupBy(i => i.Category).Sum(g =>
            Math.Min(g.Sum(i => i.Deduction), rubric?.Categories.FirstOrDefault(c => c.Id == g.Key)?.Weight ?? double.MaxValue));
        return Math.Round(Math.Max(0, maxScore - deducted), 2);
    }

    /// <summary>Applies one item's phrase sets to one line as if <paramref name="role"/> said it, ignoring
    /// timing and call-level conditions (the rubric author's rule tester). Counting rules (rate, ratio) are
    /// not phrase rules and are left out.</summary>
    public static IReadOnlyList<string> MatchLine(Rubric rubric, string line, SpeakerRole role)
    {
        var text = TextNormalization.SpeechText.Parse(line);
        var hits = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in rubric.Items.Where(i => i.Speaker == role && i.Rule is not RateRule))
            if (DetectInLine(item, text) is not null) hits.Add(item.Id);
        return hits.ToList();
    }

    /// <summary>
    /// Whether one line shows the item, with the words that decided it: the line-level detector that the
    /// call scorer applies turn by turn (the response phrases of a conditional rule, the phrases of a
    /// required, forbidden or rate rule, a forbidden pattern). Null when the item has no line-level
    /// detector or it does not fire.
    /// </summary>
    public static LineDetection? DetectInLine(RubricItem item, TextNormalization.SpeechText text)
    {
        PhraseSet? set = item.Rule switch
        {
            RequiredPhraseRule r => r.Phrases,
            ForbiddenPhraseRule f => f.Phrases,
            ConditionalRule c => c.Response,
            RateRule r => r.Phrases,
            _ => null,
        };
        if (set is null) return null;
        if (PhraseSearch.Best(text, set) is { } m)
            return new LineDetection(item.Id, m.Pattern.Phrase, text.OriginalSpan(m.Start, m.End), m.Similarity);
        if (set.Review is { } review && PhraseSearch.Best(text, review) is { } wide)
            return new LineDetection(item.Id, wide.Pattern.Phrase, text.OriginalSpan(wide.Start, wide.End), wide.Similarity, Review: true);
        if (item.Rule is ForbiddenPhraseRule fp)
        {
            foreach (var p in fp.Patterns)
                if (p.Match(text.Normalized) is { Success: true } hit)
                    return new LineDetection(item.Id, p.ToString(), hit.Value, 1);
            if (fp.WholeAnswer is { } whole && PhraseSearch.WholeAnswer(text, whole) is { } refusal)
                return new LineDetection(item.Id, refusal.Pattern.Phrase, text.OriginalSpan(refusal.Start, refusal.End), refusal.Similarity, whole.Review);
        }
        return null;
    }
}

/// <summary>An item's detector firing on one line: the rubric phrase (or pattern) that matched, the words of
/// the line it matched, and how closely.</summary>
/// <remarks><see cref="Review"/>: found only by one of the item's review phrases — the line goes to a human, it
/// does not decide the item.</remarks>
public sealed record LineDetection(string ItemId, string Phrase, string Words, double Similarity, bool Review = false);

/// <summary>Phrase-set search over speech text, honouring the set's threshold and its "unless" vetoes.</summary>
internal static class PhraseSearch
{
    /// <summary>Units either side of a match where an "unless" phrase vetoes it.</summary>
    private const int VetoReach = 3;

    public static PhraseMatch? Best(TextNormalization.SpeechText text, PhraseSet set, double? minSimilarity = null)
    {
        var min = minSimilarity ?? set.MinSimilarity;
        PhraseMatch? best = null;
        foreach (var p in set.Phrases)
        {
            var m = PhraseMatcher.Find(text, p, min);
            if (m is null || (best is not null && m.Value.Similarity <= best.Value.Similarity)) continue;
            if (Vetoed(text, set, m.Value)) continue;
            best = m;
            if (m.Value.Similarity >= 1) break;
        }
        return best;
    }

    /// <summary>A <see cref="WholeAnswer"/> phrase in a short text that holds nothing else: no veto anywhere outside the
    /// phrase's own words (不可以 is a refusal; the 可以 inside it is not a way forward).</summary>
    public static PhraseMatch? WholeAnswer(TextNormalization.SpeechText text, WholeAnswer whole)
    {
        if (text.Length > whole.MaxUnits) return null;
        var set = whole.Phrases;
        foreach (var p in set.Phrases)
        {
            if (PhraseMatcher.Find(text, p, set.MinSimilarity) is not { } m) continue;
            foreach (var u in set.Unless)
                if (PhraseMatcher.Find(text, u, set.MinSimilarity) is { } v && (v.Start < m.Start || v.End > m.End)) return null;
            return m;
        }
        return null;
    }

    private static bool Vetoed(TextNormalization.SpeechText text, PhraseSet set, PhraseMatch m)
    {
        foreach (var u in set.Unless)
        {
            var veto = PhraseMatcher.Find(text, u, set.MinSimilarity);
            if (veto is { } v && v.Start < m.End + VetoReach && v.End > m.Start - VetoReach) return true;
        }
        return false;
    }
}

/// <summary>Evaluates one rubric item on one call.</summary>
internal sealed class ItemScorer(Rubric rubric, RubricItem item, CallView call)
{
    private ScoringSettings Settings => rubric.Settings;

    public ItemVerdict Evaluate()
    {
        if (Unseparated() is { } doubt) return Review(doubt, []);
        if (NotApplicable() is { } na) return Na(na);
        return item.Rule switch
        {
            RequiredPhraseRule r => Required(r),
            ForbiddenPhraseRule f => Forbidden(f),
            ConditionalRule c => Conditional(c),
            RateRule r => Rate(r),
            RatioRule r => Ratio(r),
            SpeechRateRule s => SpeechRate(s),
            AcousticRule a => Acoustic(a),
            KnowledgeRule => Knowledge(),
            _ => throw new InvalidOperationException($"rule kind {item.Rule.Kind} has no scorer"),
        };
    }

    /// <summary>
    /// A one-channel recording whose speaker separation found no second voice: a voicemail or an IVR prompt, or a
    /// real call whose two voices were too alike to tell apart (on the benchmark their held-out gains overlap).
    /// Passing over the agent's items as not applicable would score such a call on silences alone without anyone
    /// noticing; a reviewer listens instead, told why. Items that do not depend on who speaks are scored as usual.
    /// </summary>
    private string? Unseparated()
    {
        if (call.RolesKnown || call.Facts?.Separation is not { Separated: false } refused) return null;
        if (item.Rule is AcousticRule a && a.Metric.SpeakerIndependent()) return null;
        return $"who is agent and who is customer could not be told apart on this one-channel recording ({refused.Reason}); a reviewer decides";
    }

    private string? NotApplicable()
    {
        var speakerTurns = call.TurnsOf(item.Speaker);
        // Silence belongs to nobody: it can be judged on a mono recording that cannot tell the parties apart.
        var speakerIndependent = item.Rule is AcousticRule a && a.Metric.SpeakerIndependent();
        if (!call.RolesKnown && !speakerIndependent)
            return "the recording does not say who is agent and who is customer";
        if (speakerTurns.Count == 0 && call.RolesKnown)
            return $"the {Name(item.Speaker)} did not speak in this call";
        foreach (var c in item.NaWhen)
        {
            switch (c.Kind)
            {
                case "no_timing" when !call.Timed:
                    return "the transcript has no timing";
                case "no_acoustic_facts" when call.Facts is null:
                    return "no acoustic analysis of the recording";
                case "agent_turns_below" when call.TurnsOf(SpeakerRole.Agent).Count < c.Value:
                    return $"the call has fewer than {c.Value} agent turns";
            }
        }
        return null;
    }

    // ---- verdict builders -------------------------------------------------------------------------

    private ItemVerdict Na(string reason) => new(item.Id, item.Category, Verdict.Na, 0, false, reason, []);

    private ItemVerdict Pass(string reason, IReadOnlyList<Evidence> evidence, double? strength = null, double? confidence = null) =>
        new(item.Id, item.Category, Verdict.Pass, 0, false, reason, evidence, null, strength, confidence);

    private ItemVerdict Fail(string reason, IReadOnlyList<Evidence> evidence, SearchWindow? window = null, double? strength = null, double? confidence = null) =>
        new(item.Id, item.Category, Verdict.Fail, item.Fatal ? 0 : item.Deduction, item.Fatal, reason, evidence, window, strength, confidence);

    private ItemVerdict Review(string reason, IReadOnlyList<Evidence> evidence, SearchWindow? window = null, double? strength = null, double? confidence = null) =>
        new(item.Id, item.Category, Verdict.Review, 0, false, reason, evidence, window, strength, confidence);

    private bool LowConfidence(CallSegment s) => s.Confidence < Settings.ReviewBelowConfidence;

    /// <summary>On a mono call whose roles were separated automatically, a turn may belong to the other party.</summary>
    private bool LowRoleConfidence(CallSegment s) => s.Source.RoleConfidence < Settings.ReviewBelowRoleConfidence;

    private bool RolesEstimated => call.Facts?.RolesEstimated == true || call.Segments.Any(s => s.Source.RoleConfidence is not null);

    private static string Name(SpeakerRole r) => r.Word();

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A pass or fail decided by words the ASR was unsure of goes to a human instead.</summary>
    private ItemVerdict Decide(bool passed, string reason, IReadOnlyList<Evidence> evidence, IEnumerable<CallSegment> deciding,
        SearchWindow? window = null, double? strength = null)
    {
        var decidingList = deciding.ToList();
        var known = decidingList.Select(s => s.Confidence).OfType<double>().ToList();
        double? confidence = known.Count > 0 ? known.Min() : null;
        if (passed && decidingList.Count > 0 && decidingList.All(LowConfidence))
            return Review($"{reason}, but the ASR confidence of those words is low ({F(confidence ?? 0)})", evidence, window, strength, confidence);
        if (!passed && decidingList.Any(LowConfidence))
            return Review($"{reason}, but some of the speech searched was recognised with low confidence ({F(confidence ?? 0)})", evidence, window, strength, confidence);
        // Words that decide an item must be the right party's: on a mono call, a turn given to the agent with a
        // shaky role may be the customer's (or the agent's words may sit in a turn given to the customer).
        var shaky = decidingList.Where(LowRoleConfidence).ToList();
        if (shaky.Count > 0)
            return Review($"{reason}, but who said it is uncertain: the roles were separated automatically from one channel " +
                          $"(role confidence {F(shaky.Min(s => s.Source.RoleConfidence!.Value))})", evidence, window, strength, confidence);
        return passed ? Pass(reason, evidence, strength, confidence) : Fail(reason, evidence, window, strength, confidence);
    }

    private (CallSegment Segment, PhraseMatch Match)? BestIn(IEnumerable<CallSegment> segments, PhraseSet set, double? min = null)
    {
        (CallSegment, PhraseMatch)? best = null;
        foreach (var s in segments)
        {
            var m = min is null ? call.Match(s, set) : PhraseSearch.Best(s.Text, set, min);
            if (m is not null && (best is null || m.Value.Similarity > best.Value.Item2.Similarity)) best = (s, m.Value);
        }
        return best;
    }

    /// <summary>Why a line found only by a review phrase is not decided: the phrase is a shape that real agents also
    /// use for other things, so a monitor reads the words.</summary>
    private static string ReviewPhraseReason(string what, string where, PhraseMatch m) =>
        $"{what} possibly {where}: only the review phrase '{m.Pattern.Phrase}' matched, a shape that also fits other wording (a monitor decides)";

    /// <summary>A refusal that is the turn's whole answer. The guide reads a line as the agent's whole turn, so the turn's
    /// segments are read together (an apology in the segment before the refusal still counts); the evidence is the
    /// turn, with the refusal's words, and its confidence is that of the segment holding them.</summary>
    private static (CallSegment, Evidence)? WholeAnswerHit(CallTurn turn, WholeAnswer whole)
    {
        // Most turns are longer than a bare answer: skip them before joining anything.
        if (turn.Segments.Sum(s => s.Text.Length) > whole.MaxUnits) return null;
        var text = turn.Segments.Count == 1 ? turn.Segments[0].Text : TextNormalization.SpeechText.Parse(string.Join("，", turn.Segments.Select(s => s.Source.Text)));
        if (PhraseSearch.WholeAnswer(text, whole) is not { } m) return null;
        var at = turn.Segments.FirstOrDefault(s => PhraseMatcher.Find(s.Text, m.Pattern, whole.Phrases.MinSimilarity) is not null) ?? turn.Segments[0];
        return (at, at.ToEvidence(m.Pattern.Phrase, m.Similarity) with
        {
            Start = turn.Start, End = turn.End, Text = text.Original, Words = text.OriginalSpan(m.Start, m.End),
        });
    }

    private static Evidence MatchEvidence(CallSegment s, PhraseMatch m) =>
        s.ToEvidence(m.Pattern.Phrase, m.Similarity) with { Words = s.Text.OriginalSpan(m.Start, m.End) };

    private SearchWindow WindowOf(IReadOnlyList<CallTurn> turns, SpeakerRole speaker) =>
        new(speaker, turns.Count > 0 ? turns[0].Number : 0, turns.Count > 0 ? turns[^1].Number : 0,
            turns.Count > 0 ? turns[0].Start : null, turns.Count > 0 ? turns[^1].End : null);

    /// <summary>Looks for the phrase set in the candidate turns: pass on a match, review on a near miss,
    /// fail (with the searched window as evidence) when nothing came close.</summary>
    private ItemVerdict FindRequired(PhraseSet set, IReadOnlyList<CallTurn> candidates, string what, string where)
    {
        var segments = candidates.SelectMany(t => t.Segments).ToList();
        var window = WindowOf(candidates, item.Speaker);
        if (BestIn(segments, set) is { } hit)
        {
            if (SecondOpinion.Doubts(rubric, item, hit.Segment) is { } doubt)
                return Review($"{what} found {where} ('{hit.Match.Pattern.Phrase}'), {doubt}", [MatchEvidence(hit.Segment, hit.Match)], null,
                    hit.Match.Similarity, hit.Segment.Confidence);
            return Decide(true, $"{what} found {where}", [MatchEvidence(hit.Segment, hit.Match)], [hit.Segment], null, hit.Match.Similarity);
        }
        if (set.Review is { } wide && BestIn(segments, wide) is { } unsure)
            return Review(ReviewPhraseReason(what, where, unsure.Match), [MatchEvidence(unsure.Segment, unsure.Match)], window,
                unsure.Match.Similarity, unsure.Segment.Confidence);
        if (BestIn(segments, set, Math.Max(0.5, set.MinSimilarity - Settings.ReviewMargin)) is { } near)
            return Review($"{what} only nearly matched {where} ('{near.Match.Pattern.Phrase}', similarity {F(near.Match.Similarity)})",
                [MatchEvidence(near.Segment, near.Match)], window, near.Match.Similarity, near.Segment.Confidence);
        if (SecondOpinion.Sees(rubric, item, segments) is { } seen)
            return Review($"{what} not found {where} by the phrase rule, {seen.Reason}", [seen.Segment.ToEvidence()], window, 0, seen.Segment.Confidence);
        return Decide(false, $"{what} not found {where}", segments.Take(3).Select(s => s.ToEvidence()).ToList(), segments, window, 0);
    }

    // ---- rule kinds -------------------------------------------------------------------------------

    private ItemVerdict Required(RequiredPhraseRule r)
    {
        var turns = call.TurnsOf(item.Speaker);
        var w = r.Window;
        var byTurns = w.Turns is { } n ? (w.FromEnd ? turns.Skip(Math.Max(0, turns.Count - n)) : turns.Take(n)) : [];
        IEnumerable<CallTurn> bySeconds = [];
        if (w.Seconds is { } sec && call.Timed)
            bySeconds = w.FromEnd && call.Duration is { } d
                ? turns.Where(t => t.End >= d - sec)
                : turns.Where(t => t.Start <= sec);
        var candidates = byTurns.Union(bySeconds).OrderBy(t => t.Number).ToList();
        var where = string.Join(" or ", new[]
        {
            w.Turns is { } t ? $"in the {(w.FromEnd ? "last" : "first")} {t} {Name(item.Speaker)} turn{(t == 1 ? "" : "s")}" : null,
            w.Seconds is { } s2 && call.Timed ? $"in the {(w.FromEnd ? "last" : "first")} {F(s2)} s" : null,
        }.OfType<string>());
        if (candidates.Count == 0) return Na($"no {Name(item.Speaker)} turn falls {where}");
        return FindRequired(r.Phrases, candidates, item.Description, where);
    }

    private ItemVerdict Forbidden(ForbiddenPhraseRule f)
    {
        var hits = new List<(CallSegment Segment, Evidence Evidence)>();
        var refusals = 0;
        foreach (var turn in call.TurnsOf(item.Speaker))
        {
            var before = hits.Count;
            foreach (var s in turn.Segments)
            {
                if (call.Match(s, f.Phrases) is { } m) hits.Add((s, MatchEvidence(s, m)));
                else if (f.Patterns.FirstOrDefault(p => p.IsMatch(s.Text.Normalized)) is { } p) hits.Add((s, s.ToEvidence(p.ToString(), 1)));
            }
            if (hits.Count == before && f.WholeAnswer is { } whole && WholeAnswerHit(turn, whole) is { } refusal)
            {
                hits.Add(refusal);
                refusals++;
            }
        }
        if (hits.Count == 0) return Pass($"no {item.Description} found", [], 0);
        var strength = hits.Max(h => h.Evidence.Similarity ?? 1);
        if (refusals == hits.Count && f.WholeAnswer is { Review: true })
            return Review($"{item.Description}? {hits.Count} turn{(hits.Count == 1 ? " is" : "s are")} only a refusal (cannot / not supported / no idea) " +
                          "with nothing else: a monitor decides whether it was cold or plain information", hits.Select(h => h.Evidence).ToList(), null, strength,
                hits.Select(h => h.Segment.Confidence).OfType<double>().DefaultIfEmpty(1).Min());
        // A forbidden phrase heard only in words the ASR was unsure of is for a human to confirm.
        if (hits.All(h => LowConfidence(h.Segment)))
            return Review($"{item.Description} possibly heard, in low-confidence speech", hits.Select(h => h.Evidence).ToList(), null, strength,
                hits.Min(h => h.Segment.Confidence));
        if (hits.All(h => LowRoleConfidence(h.Segment)))
            return Review($"{item.Description} heard, but who said it is uncertain: the roles were separated automatically from one channel " +
                          $"(role confidence {F(hits.Max(h => h.Segment.Source.RoleConfidence ?? 0))})", hits.Select(h => h.Evidence).ToList(), null, strength,
                hits.Min(h => h.Segment.Confidence));
        return Fail($"{item.Description}: {hits.Count} occurrence{(hits.Count == 1 ? "" : "s")}", hits.Select(h => h.Evidence).ToList(),
            null, strength, hits.Select(h => h.Segment.Confidence).OfType<double>().DefaultIfEmpty(1).Min());
    }

    private sealed record TriggerEvent(int AfterTurn, int BeforeTurn, Evidence Evidence, string Digits);

    private List<TriggerEvent> Triggers(Trigger t)
    {
        var events = new List<TriggerEvent>();
        switch (t.Kind)
        {
            case TriggerKind.Phrase:
                foreach (var s in call.TurnsOf(t.Speaker).SelectMany(x => x.Segments))
                    if (call.Match(s, t.Phrases) is { } m)
                        events.Add(new TriggerEvent(s.Turn, s.Turn, MatchEvidence(s, m), ""));
                break;
            case TriggerKind.Digits:
                foreach (var s in call.TurnsOf(t.Speaker).SelectMany(x => x.Segments))
                    if (s.Text.Digits() is { } d && d.Length >= t.MinDigits)
                        events.Add(new TriggerEvent(s.Turn, s.Turn, s.ToEvidence(), d));
                break;
            case TriggerKind.Silence:
                foreach (var gap in call.Silences ?? [])
                {
                    if (gap.Duration < t.MinSilenceSeconds) continue;
                    var before = call.Turns.LastOrDefault(x => x.Start <= gap.Start)?.Number ?? 0;
                    var after = call.Turns.FirstOrDefault(x => x.Start >= gap.End)?.Number ?? call.Turns.Count + 1;
                    events.Add(new TriggerEvent(before, after,
                        new Evidence(SpeakerRole.Mixed, gap.Start, gap.End, $"[silence {F(gap.Duration)} s]", before), ""));
                }
                break;
        }
        return events;
    }

    private ItemVerdict Conditional(ConditionalRule c)
    {
        if (c.Trigger.Kind == TriggerKind.Silence && call.Silences is null)
            return Na("no timing or acoustic facts to find silences in");
        var events = Triggers(c.Trigger);
        if (events.Count == 0) return Na($"not triggered: {TriggerText(c.Trigger)} did not occur");
        var turns = call.TurnsOf(item.Speaker);
        var evidence = new List<Evidence>();
        var deciding = new List<CallSegment>();
        double strength = 1;
        foreach (var e in events)
        {
            IEnumerable<CallTurn> window = c.Direction == ResponseDirection.After
                ? turns.Where(t => t.Number > e.AfterTurn || (c.IncludeTriggerTurn && t.Number == e.AfterTurn)).Take(c.WithinTurns)
                : turns.Where(t => t.Number < e.BeforeTurn || (c.IncludeTriggerTurn && t.Number == e.BeforeTurn)).TakeLast(c.WithinTurns);
            if (c.WithinSeconds is { } ws && call.Timed && e.Evidence.Start is { } from && e.Evidence.End is { } to)
                window = window.Where(t => c.Direction == ResponseDirection.After ? t.Start <= to + ws : t.End >= from - ws);
            var candidates = window.ToList();
            var segments = candidates.SelectMany(t => t.Segments).ToList();
            var echo = c.EchoDigits && e.Digits.Length >= 4
                ? segments.FirstOrDefault(s => s.Text.Digits().Contains(e.Digits[^4..], StringComparison.Ordinal))
                : null;
            if (echo is not null)
            {
                evidence.Add(e.Evidence);
                evidence.Add(echo.ToEvidence("(digits read back)", 1));
                deciding.Add(echo);
                continue;
            }
            if (BestIn(segments, c.Response) is { } hit)
            {
                if (SecondOpinion.Doubts(rubric, item, hit.Segment) is { } doubt)
                    return Review($"{item.Description} found ('{hit.Match.Pattern.Phrase}'), {doubt}", [e.Evidence, MatchEvidence(hit.Segment, hit.Match)],
                        null, hit.Match.Similarity, hit.Segment.Confidence);
                evidence.Add(e.Evidence);
                evidence.Add(MatchEvidence(hit.Segment, hit.Match));
                deciding.Add(hit.Segment);
                strength = Math.Min(strength, hit.Match.Similarity);
                continue;
            }
            var where = $"within {c.WithinTurns} {Name(item.Speaker)} turn{(c.WithinTurns == 1 ? "" : "s")} {(c.Direction == ResponseDirection.After ? "after" : "before")} {TriggerText(c.Trigger)}";
            var win = WindowOf(candidates, item.Speaker);
            var ev = new List<Evidence> { e.Evidence };
            ev.AddRange(segments.Take(3).Select(s => s.ToEvidence()));
            if (c.Response.Review is { } wide && BestIn(segments, wide) is { } unsure)
                return Review(ReviewPhraseReason(item.Description, where, unsure.Match), [e.Evidence, MatchEvidence(unsure.Segment, unsure.Match)], win,
                    unsure.Match.Similarity, unsure.Segment.Confidence);
            if (BestIn(segments, c.Response, Math.Max(0.5, c.Response.MinSimilarity - Settings.ReviewMargin)) is { } near)
                return Review($"{item.Description} only nearly matched {where} ('{near.Match.Pattern.Phrase}', similarity {F(near.Match.Similarity)})",
                    ev, win, near.Match.Similarity, near.Segment.Confidence);
            if (SecondOpinion.Sees(rubric, item, segments) is { } seen)
                return Review($"{item.Description} missing {where} by the phrase rule, {seen.Reason}", [e.Evidence, seen.Segment.ToEvidence()], win, 0,
                    seen.Segment.Confidence);
            return Decide(false, $"{item.Description} missing {where}", ev, segments, win, 0);
        }
        return Decide(true, $"{item.Description} given each time ({events.Count} trigger{(events.Count == 1 ? "" : "s")})", evidence, deciding, null, strength);
    }

    private static string TriggerText(Trigger t) => t.Kind switch
    {
        TriggerKind.Silence => $"a silence of {F(t.MinSilenceSeconds)} s or more",
        TriggerKind.Digits => $"a number of {t.MinDigits}+ digits from the {Name(t.Speaker)}",
        _ => $"the {Name(t.Speaker)}'s trigger phrases",
    };

    private ItemVerdict Rate(RateRule r)
    {
        var turns = call.TurnsOf(item.Speaker);
        if (turns.Count < r.MinTurns) return Na($"fewer than {r.MinTurns} {Name(item.Speaker)} turns");
        var with = new List<CallTurn>();
        var without = new List<CallTurn>();
        foreach (var t in turns)
            (t.Segments.Any(s => call.Match(s, r.Phrases) is not null) ? with : without).Add(t);
        var share = (double)with.Count / turns.Count;
        var reason = $"{item.Description}: {with.Count} of {turns.Count} {Name(item.Speaker)} turns ({share:P0}), minimum {r.Min:P0}";
        return share >= r.Min
            ? Pass(reason, [], share)
            : Fail(reason, without.Take(3).SelectMany(t => t.Segments).Select(s => s.ToEvidence()).ToList(), null, share);
    }

    private ItemVerdict Ratio(RatioRule r)
    {
        int num = 0, den = 0;
        var evidence = new List<Evidence>();
        foreach (var s in call.TurnsOf(item.Speaker).SelectMany(t => t.Segments))
        {
            var text = r.Unless.Aggregate(s.Text.Normalized, (t, u) => t.Replace(u, " ", StringComparison.Ordinal));
            var n = r.Numerator.Sum(x => Count(text, x));
            var d = r.Denominator.Sum(x => Count(text, x));
            num += n;
            den += d;
            if (d > n && evidence.Count < 3) evidence.Add(s.ToEvidence());
        }
        if (den < r.MinCount) return Na($"too few occurrences to judge ({den} < {r.MinCount})");
        var ratio = (double)num / den;
        var reason = $"{item.Description}: {string.Join("/", r.Numerator)} in {num} of {den} ({ratio:P0}), minimum {r.Min:P0}";
        return ratio >= r.Min ? Pass(reason, [], ratio) : Fail(reason, evidence, null, ratio);
    }

    private static int Count(string text, string needle)
    {
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private ItemVerdict SpeechRate(SpeechRateRule r)
    {
        var segments = call.TurnsOf(item.Speaker).SelectMany(t => t.Segments).ToList();
        // Voice-activity speech time is the better denominator: ASR segments include the pauses inside a turn.
        double? speech = null;
        if (call.Facts?.Speakers.GetValueOrDefault(Name(item.Speaker)) is { } act) speech = act.SpeechSeconds;
        else if (call.Timed) speech = segments.Sum(s => s.End!.Value - s.Start!.Value);
        if (speech is null) return Na("no timing to measure speaking rate");
        if (speech < r.MinSpeechSeconds) return Na($"less than {F(r.MinSpeechSeconds)} s of {Name(item.Speaker)} speech");
        // Characters per minute for Chinese, words per minute for English: the units SpeechText counts.
        var units = segments.Sum(s => Enumerable.Range(0, s.Text.Length).Count(i => !s.Text.Filler[i]));
        var rate = units / (speech.Value / 60.0);
        var unit = rubric.Language == "zh" ? "characters" : "words";
        var reason = $"speaking rate {F(rate)} {unit}/min over {F(speech.Value)} s (allowed {F(r.Min)}–{F(r.Max)})";
        if (rate >= r.Min && rate <= r.Max) return Pass(reason, [], rate);
        var fastest = segments.Where(s => s.End > s.Start).OrderByDescending(s => s.Text.Length / (s.End!.Value - s.Start!.Value)).Take(3);
        return Fail(reason, (rate > r.Max ? fastest : segments.Take(3)).Select(s => s.ToEvidence()).ToList(), null, rate);
    }

    private ItemVerdict Acoustic(AcousticRule a)
    {
        double value;
        var evidence = new List<Evidence>();
        // Which figures rest on who spoke: all but silences, and silences too once an agent's words excuse some.
        var roleDependent = !a.Metric.SpeakerIndependent();
        switch (a.Metric)
        {
            case AcousticMetric.AgentInterruptions:
                if (call.Facts is null) return Na("no acoustic analysis of the recording");
                var overlaps = call.Facts.Overlaps.Where(o => o.By == "agent" && o.End - o.Start >= a.MinSeconds).ToList();
                value = overlaps.Count;
                evidence.AddRange(overlaps.Select(o => new Evidence(SpeakerRole.Agent, o.Start, o.End,
                    $"[agent talked over the customer for {F(o.End - o.Start)} s]", TurnAt(o.Start))));
                break;
            case AcousticMetric.DeadAirCount:
            case AcousticMetric.MaxSilenceS:
                if (call.Silences is null) return Na("no timing or acoustic facts to find silences in");
                var longSilences = call.Silences.Where(s => s.Duration >= a.MinSeconds).ToList();
                var silences = longSilences.Where(s => !Excused(s, a.ExcusedBy)).ToList();
                roleDependent = silences.Count < longSilences.Count;
                value = a.Metric == AcousticMetric.DeadAirCount ? silences.Count : silences.Select(s => s.Duration).DefaultIfEmpty(0).Max();
                evidence.AddRange(silences.OrderByDescending(s => s.Duration).Take(5).Select(s =>
                    new Evidence(SpeakerRole.Mixed, s.Start, s.End, $"[silence {F(s.Duration)} s]", TurnAt(s.Start))));
                break;
            case AcousticMetric.AgentTalkRatio:
                if (call.Facts?.TalkRatio.TryGetValue("agent", out var ratio) == true) value = ratio;
                else if (call.Timed)
                {
                    double Talk(SpeakerRole r) => call.TurnsOf(r).SelectMany(t => t.Segments).Sum(s => s.End!.Value - s.Start!.Value);
                    var total = Talk(SpeakerRole.Agent) + Talk(SpeakerRole.Customer);
                    if (total <= 0) return Na("no speech to measure");
                    value = Talk(SpeakerRole.Agent) / total;
                }
                else return Na("no timing or acoustic facts to measure talk ratio");
                break;
            case AcousticMetric.LongestAgentMonologueS:
                if (!call.Timed) return Na("the transcript has no timing");
                var longest = call.TurnsOf(SpeakerRole.Agent).MaxBy(t => t.End - t.Start)!;
                value = longest.End!.Value - longest.Start!.Value;
                evidence.Add(longest.Segments[0].ToEvidence());
                break;
            default:
                throw new InvalidOperationException($"unknown acoustic metric {a.Metric}"); // every metric is a case above
        }
        var ok = (a.Min is null || value >= a.Min) && (a.Max is null || value <= a.Max);
        var bounds = a.Min is not null && a.Max is not null ? $"{F(a.Min.Value)}–{F(a.Max.Value)}" : a.Min is not null ? $">= {F(a.Min.Value)}" : $"<= {F(a.Max!.Value)}";
        var reason = $"{a.Metric.Name().Replace('_', ' ')} = {F(value)} (allowed {bounds})";
        // On a mono call the roles come from separating one channel: a figure that depends on them is an estimate,
        // and the verdict says so (silences alone are measured exactly: nobody speaking needs no roles).
        if (roleDependent && RolesEstimated) reason += "; estimated: the roles were separated automatically from one channel";
        return ok ? Pass(reason, [], value) : Fail(reason, evidence, null, value);
    }

    private int TurnAt(double time) => call.Turns.LastOrDefault(t => t.Start <= time)?.Number ?? 0;

    /// <summary>A silence the agent announced (请您稍等) is a hold, not dead air.</summary>
    private bool Excused(TimeSpanS silence, PhraseSet excusedBy)
    {
        if (excusedBy.Phrases.Count == 0) return false;
        var lastAgentTurns = call.TurnsOf(SpeakerRole.Agent).Where(t => t.Start <= silence.Start).TakeLast(2);
        return BestIn(lastAgentTurns.SelectMany(t => t.Segments), excusedBy) is not null;
    }

    private ItemVerdict Knowledge()
    {
        var agentTurns = call.TurnsOf(SpeakerRole.Agent);
        var evidence = new List<Evidence>();
        var deciding = new List<CallSegment>();
        var asked = 0;
        foreach (var topic in rubric.Knowledge)
        {
            foreach (var q in call.TurnsOf(SpeakerRole.Customer).SelectMany(t => t.Segments))
            {
                if (call.Match(q, topic.Questions) is not { } qm) continue;
                asked++;
                var answer = agentTurns.Where(t => t.Number > q.Turn).Take(topic.WithinTurns).SelectMany(t => t.Segments).ToList();
                var stated = answer.FirstOrDefault(s => States(s, topic) == true);
                var wrong = answer.FirstOrDefault(s => States(s, topic) == false);
                if (wrong is not null)
                    return Decide(false, $"the agent contradicted the configured fact for '{topic.Id}' ({FactText(topic)})",
                        [MatchEvidence(q, qm), wrong.ToEvidence()], [wrong], null, 0);
                if (stated is null)
                    return Decide(false, $"the customer asked about '{topic.Id}' and the agent did not state {FactText(topic)} within {topic.WithinTurns} turns",
                        [MatchEvidence(q, qm), .. answer.Take(3).Select(s => s.ToEvidence())], answer, WindowOf(
                            agentTurns.Where(t => t.Number > q.Turn).Take(topic.WithinTurns).ToList(), SpeakerRole.Agent), 0);
                evidence.Add(MatchEvidence(q, qm));
                evidence.Add(stated.ToEvidence(FactText(topic), 1));
                deciding.Add(stated);
            }
        }
        if (asked == 0) return Na("the customer asked about none of the configured knowledge topics");
        return Decide(true, $"configured facts stated correctly ({asked} question{(asked == 1 ? "" : "s")})", evidence, deciding, null, 1);
    }

    private static string FactText(KnowledgeTopic t) =>
        t.FactNumber is { } n ? $"{n}{t.FactUnit}" : string.Join(" / ", t.FactPhrases!.Phrases.Select(p => p.Phrase));

    /// <summary>True if the segment states the topic's fact, false if it states a contradicting one, null if neither.</summary>
    private static bool? States(CallSegment s, KnowledgeTopic t)
    {
        if (t.ContradictingPhrases is { } cp && PhraseSearch.Best(s.Text, cp) is not null) return false;
        if (t.FactNumber is { } expected)
        {
            var text = s.Text.Normalized;
            bool? result = null;
            for (var at = text.IndexOf(t.FactUnit!, StringComparison.Ordinal); at >= 0; at = text.IndexOf(t.FactUnit!, at + 1, StringComparison.Ordinal))
            {
                var start = at;
                while (start > 0 && (char.IsAsciiDigit(text[start - 1]) || "零一二三四五六七八九十百两".Contains(text[start - 1]))) start--;
                var pos = start;
                if (start == at || !TextNormalization.SpeechText.TryParseNumber(text, ref pos, out var value)) continue;
                if (value == expected) return true;
                result = false;
            }
            if (result is not null) return result;
        }
        if (t.FactPhrases is { } fp && PhraseSearch.Best(s.Text, fp) is not null) return true;
        return null;
    }
}
