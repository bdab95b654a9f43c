using QaPipeline.Calibration.Agreement;
using QaPipeline.Calibration.Reports;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;
using QaPipeline.Scoring;

namespace QaPipeline.Web.Calibration;

/// <summary>One line of the reveal grid: an item of a call with every rater's verdict, the machine's, and the agreed one.</summary>
public sealed record GridRow(long CallId, string ItemId, string Description, IReadOnlyDictionary<long, string> ByRater, Verdict Automatic, string? Agreed);

public sealed record SessionView(
    SessionRow Session,
    IReadOnlyList<ParticipantRow> Participants,
    IReadOnlyList<CallRecord> Calls,
    IReadOnlyDictionary<long, IReadOnlyList<MachineItem>> ItemsByCall,
    IReadOnlyList<ScoreRow> MyScores,
    bool IsLead,
    bool IsParticipant,
    bool Submitted,
    IReadOnlyList<GridRow> Grid,
    CalibrationReport? Report,
    AgreementSummary? Agreement,
    IReadOnlyDictionary<long, IReadOnlyDictionary<long, double>> TotalsByCall);

/// <summary>
/// Calibration meetings (监控校准会议). A lead picks calls and participants; each participant scores every item
/// of every call blind — the session page shows them no automatic verdicts and nobody else's scores, and the
/// call page hides the automatic scorecard from them while they have not submitted. When everyone has submitted
/// the lead reveals the grid (each rater, the automatic scorer, the agreed verdict) with the agreement statistics
/// of QaPipeline.Calibration, and records the agreed verdicts and the meeting's decisions (audited).
/// </summary>
public sealed class CalibrationSessions(CalibrationRepository sessions, UserRepository users, CallRepository callRecords, CallDetails details, ResultRepository results,
    RubricCatalog rubrics, AuditLog audit, TimeProvider clock)
{
    public const string AutomaticRater = CalibrationSession.DefaultAutomaticRater;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task<IReadOnlyList<SessionRow>> List(Viewer viewer, CancellationToken ct = default) =>
        sessions.Sessions(viewer.Id, viewer.IsAdmin, ct);

    public async Task<long> Create(Viewer lead, string name, IReadOnlyList<long> callIds, IReadOnlyList<long> participantIds, CancellationToken ct = default)
    {
        if (!(lead.IsAdmin || lead.IsMonitor || lead.IsTrainer)) throw new ReviewRuleException("error.only_monitors_trainers_admins", 403);
        name = InputLimits.NameOf(name, "error.session_name_empty", "field.session_name");
        if (callIds is null || callIds.Count == 0) throw new ReviewRuleException("error.pick_least_one_call", 400);
        if (participantIds is null || participantIds.Distinct().Count() < 2) throw new ReviewRuleException("error.pick_least_two_participants", 400);
        // A calibration session is an afternoon's work: more calls or people than this is a mistake, not a session.
        if (callIds.Distinct().Count() > 100 || participantIds.Distinct().Count() > 50)
            throw new ReviewRuleException("error.session_takes_most_100", 400);
        var known = (await users.List(ct)).Where(u => u.Active).Select(u => u.Id).ToHashSet();
        if (participantIds.Where(p => !known.Contains(p)).Select(p => (long?)p).FirstOrDefault() is { } unknown)
            throw new ReviewRuleException("error.no_active_user", 400, unknown);
        foreach (var id in callIds)
            if (await details.Readable(lead, id, ct) is null || await results.CurrentScorecard(id, ct) is null)
                throw new ReviewRuleException("error.call_cannot_used_not", 400, id);
        var sessionId = await sessions.Create(name.Trim(), lead.Id, callIds, participantIds, Now, ct);
        await audit.Write(lead.Login, "calibration created", "calibration", sessionId.ToString(),
            $"calls {string.Join(",", callIds)}; participants {string.Join(",", participantIds)}", Now, ct);
        return sessionId;
    }

    public async Task<SessionView?> Load(Viewer viewer, long id, CancellationToken ct = default)
    {
        if (await sessions.Load(id, ct) is not { } stored) return null;
        var (session, participants, callIds, scores, agreed) = stored;
        var isLead = session.CreatedBy == viewer.Id;
        var me = participants.FirstOrDefault(p => p.UserId == viewer.Id);
        if (!isLead && me is null && !viewer.IsAdmin) return null;
        var calls = new List<CallRecord>();
        var items = new Dictionary<long, IReadOnlyList<MachineItem>>();
        var cards = new Dictionary<long, ScorecardRecord>();
        foreach (var callId in callIds)
        {
            calls.Add(await callRecords.Get(callId, ct) ?? throw new InvalidOperationException($"calibration session {id} names call {callId}, which does not exist"));
            if (await results.CurrentScorecard(callId, ct) is { } card)
            {
                cards[callId] = card;
                items[callId] = details.ParseItems(card, masked: !viewer.SeesPersonalData).Items;
            }
        }
        var revealed = session.Status != "scoring";
        var grid = new List<GridRow>();
        CalibrationReport? report = null;
        AgreementSummary? agreement = null;
        var totals = new Dictionary<long, IReadOnlyDictionary<long, double>>();
        if (revealed)
        {
            foreach (var call in calls)
                foreach (var item in items.GetValueOrDefault(call.Id) ?? [])
                    grid.Add(new GridRow(call.Id, item.Id, item.Description,
                        scores.Where(s => s.CallId == call.Id && s.ItemId == item.Id).ToDictionary(s => s.RaterId, s => s.Verdict),
                        item.Verdict, agreed.FirstOrDefault(a => a.CallId == call.Id && a.ItemId == item.Id)?.Verdict));
            var names = participants.ToDictionary(p => p.UserId, p => p.Login);
            // Each rater's total with the scorer's rule; the automatic scorer's total is its own score.
            foreach (var call in calls.Where(c => cards.ContainsKey(c.Id)))
            {
                var card = cards[call.Id];
                var rubric = rubrics.Find(card.RubricId, card.RubricVersion);
                var byRater = new Dictionary<long, double>();
                foreach (var p in participants)
                {
                    var mine = scores.Where(s => s.CallId == call.Id && s.RaterId == p.UserId).ToDictionary(s => s.ItemId, s => s.Verdict);
                    if (mine.Count == 0) continue;
                    byRater[p.UserId] = Scorer.Total(rubric, card.MaxScore,
                        items[call.Id].Select(i => new ItemOutcome(i.Category, Verdicts.Parse(mine.GetValueOrDefault(i.Id) ?? "na"), i.ItemDeduction, i.Fatal)));
                }
                totals[call.Id] = byRater;
            }
            var ratings = scores.Select(s => new ItemRating(s.CallId.ToString(), s.ItemId, names.GetValueOrDefault(s.RaterId, s.RaterId.ToString()), s.Verdict))
                .Concat(grid.Where(g => g.Automatic != Verdict.Review).Select(g => new ItemRating(g.CallId.ToString(), g.ItemId, AutomaticRater, g.Automatic.Word())))
                .ToList();
            var callTotals = totals.SelectMany(t => t.Value.Select(r => new CallTotal(t.Key.ToString(), names.GetValueOrDefault(r.Key, r.Key.ToString()), r.Value)))
                .Concat(cards.Select(c => new CallTotal(c.Key.ToString(), AutomaticRater, c.Value.Score))).ToList();
            report = CalibrationReport.Of(new CalibrationSession(session.Id.ToString(), DateOnly.FromDateTime(session.CreatedAt), ratings,
                agreed.Select(a => new AgreedVerdict(a.CallId.ToString(), a.ItemId, a.Verdict)).ToList(), callTotals));
            // Agreement among the monitors over every (call, item) unit: Fleiss' kappa and Krippendorff's alpha (nominal).
            var monitorRatings = scores.Select(s => new Rating($"{s.CallId}/{s.ItemId}", names.GetValueOrDefault(s.RaterId, s.RaterId.ToString()), s.Verdict));
            agreement = AgreementSummary.Of(RatingTable.FromRatings(monitorRatings), MeasurementLevel.Nominal);
        }
        return new SessionView(session, participants, calls, items,
            scores.Where(s => s.RaterId == viewer.Id).ToList(), isLead, me is not null, me?.SubmittedAt is not null, grid, report, agreement, totals);
    }

    private async Task<SessionView> AsParticipant(Viewer viewer, long sessionId, CancellationToken ct)
    {
        var view = await Load(viewer, sessionId, ct) ?? throw new ReviewRuleException("error.no_calibration_session", 404, sessionId);
        if (!view.IsParticipant) throw new ReviewRuleException("error.you_not_participant_session", 403);
        if (view.Session.Status != "scoring" || view.Submitted) throw new ReviewRuleException("error.your_scores_already_submitted");
        return view;
    }

    public async Task Score(Viewer viewer, long sessionId, long callId, IReadOnlyDictionary<string, string> verdicts, CancellationToken ct = default)
    {
        var view = await AsParticipant(viewer, sessionId, ct);
        if (!view.ItemsByCall.TryGetValue(callId, out var items)) throw new ReviewRuleException("error.call_not_session", 400, callId);
        if (verdicts is null) throw new ReviewRuleException("error.verdict_must_pass_fail", 400);
        foreach (var (itemId, verdict) in verdicts)
        {
            if (items.All(i => i.Id != itemId)) throw new ReviewRuleException("error.no_item", 400, itemId);
            if (!Verdicts.IsHuman(verdict)) throw new ReviewRuleException("error.verdict_must_pass_fail", 400);
        }
        await sessions.Rate(sessionId, callId, viewer.Id, verdicts, ct);
    }

    /// <summary>Submits the participant's scores: every item of every call must have a verdict.</summary>
    public async Task Submit(Viewer viewer, long sessionId, CancellationToken ct = default)
    {
        var view = await AsParticipant(viewer, sessionId, ct);
        var missing = view.ItemsByCall.Sum(kv => kv.Value.Count(i => !view.MyScores.Any(s => s.CallId == kv.Key && s.ItemId == i.Id)));
        if (missing > 0) throw new ReviewRuleException("error.item_verdicts_still_missing", 400, missing);
        await sessions.Submit(sessionId, viewer.Id, Now, ct);
    }

    private async Task<SessionView> AsLead(Viewer viewer, long sessionId, CancellationToken ct)
    {
        var view = await Load(viewer, sessionId, ct) ?? throw new ReviewRuleException("error.no_calibration_session", 404, sessionId);
        if (!view.IsLead && !viewer.IsAdmin) throw new ReviewRuleException("error.only_session_s_lead", 403);
        return view;
    }

    public async Task Reveal(Viewer viewer, long sessionId, CancellationToken ct = default)
    {
        var view = await AsLead(viewer, sessionId, ct);
        if (view.Session.Status != "scoring") throw new ReviewRuleException("error.already_revealed");
        var pending = view.Participants.Where(p => p.SubmittedAt is null).Select(p => p.DisplayName).ToList();
        if (pending.Count > 0) throw new ReviewRuleException("error.still_scoring", 409, string.Join(", ", pending));
        await sessions.Reveal(sessionId, Now, ct);
        await audit.Write(viewer.Login, "calibration revealed", "calibration", sessionId.ToString(), null, Now, ct);
    }

    public async Task RecordAgreed(Viewer viewer, long sessionId, long callId, string itemId, string verdict, CancellationToken ct = default)
    {
        var view = await AsLead(viewer, sessionId, ct);
        if (view.Session.Status != "revealed") throw new ReviewRuleException("error.reveal_the_scores_first");
        if (!Verdicts.IsHuman(verdict)) throw new ReviewRuleException("error.verdict_must_pass_fail", 400);
        if (!view.ItemsByCall.TryGetValue(callId, out var items) || items.All(i => i.Id != itemId)) throw new ReviewRuleException("error.no_such_call_item", 400);
        await sessions.RecordAgreed(sessionId, callId, itemId, verdict, viewer.Id, Now, ct);
        await audit.Write(viewer.Login, "calibration decision", "calibration", sessionId.ToString(), $"call {callId} {itemId}: agreed {verdict}", Now, ct);
    }

    public async Task RecordDecisions(Viewer viewer, long sessionId, string decisions, bool close, CancellationToken ct = default)
    {
        var view = await AsLead(viewer, sessionId, ct);
        if (view.Session.Status == "scoring") throw new ReviewRuleException("error.reveal_the_scores_first");
        decisions = InputLimits.OptionalText(decisions, "field.decisions") ?? "";
        await sessions.RecordDecisions(sessionId, decisions, close ? "closed" : view.Session.Status, ct);
        await audit.Write(viewer.Login, close ? "calibration closed" : "calibration decision", "calibration", sessionId.ToString(), decisions.Trim(), Now, ct);
    }
}
