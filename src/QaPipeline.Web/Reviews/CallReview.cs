using System.Data.Common;
using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// A monitor's review of one call: claim (the lock), confirm or override each automatic verdict (an override
/// needs a reason and is audited), comments at a time offset, finalise with the human final score beside the
/// automatic one; and the agent's side: acknowledge, or dispute an item within the dispute window, which a
/// monitor then upholds or rejects (audited). All checks happen here, on the server, for pages and API alike.
/// </summary>
public sealed class CallReview(Database db, CallDetails details, RubricCatalog rubrics, AuditLog audit, WebSettings settings, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<CallRecord> Reviewable(Viewer viewer, long callId, CancellationToken ct)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (!viewer.CanReview(call.Team)) throw new ReviewRuleException("only a monitor of this call's team may review it", 403);
        return call;
    }

    private Task<ReviewRow?> Draft(long callId, CancellationToken ct) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<ReviewRow>("""
            SELECT r.id, r.call_id, r.scorecard_id, r.reviewer_id, u.display_name AS reviewer_name, r.status, r.final_score, r.started_at,
                   r.submitted_at, r.acknowledged_at
            FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.call_id = @callId AND r.status = 'draft'
            """, new { callId }), ct);

    /// <summary>Claims a call for review. The unique index on draft reviews makes the claim a lock: a second monitor
    /// gets a conflict naming who holds it. Claiming a call you already hold is a no-op.</summary>
    public async Task<long> Claim(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await Reviewable(viewer, callId, ct);
        if (await Draft(callId, ct) is { } held)
            return held.ReviewerId == viewer.Id ? held.Id : throw new ReviewRuleException($"already claimed by {held.ReviewerName}");
        var scorecardId = await db.Run(c => c.ExecuteScalarAsync<long?>(
            "SELECT id FROM scorecards WHERE call_id = @callId AND is_current = @yes", new { callId, yes = true }), ct)
            ?? throw new ReviewRuleException("this call has no scorecard yet");
        var insert = db.Engine == DatabaseEngine.SqlServer
            ? "INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, started_at) OUTPUT INSERTED.id VALUES (@callId, @scorecardId, @reviewer, 'draft', @now)"
            : "INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, started_at) VALUES (@callId, @scorecardId, @reviewer, 'draft', @now) RETURNING id";
        try
        {
            return await db.InTransaction(async (c, tx) =>
            {
                var id = await c.ExecuteScalarAsync<long>(insert, new { callId, scorecardId, reviewer = viewer.Id, now = Now }, tx);
                await c.ExecuteAsync("UPDATE review_flags SET status = 'in_review' WHERE call_id = @callId AND status = 'open'", new { callId }, tx);
                return id;
            }, ct);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            var winner = await Draft(callId, ct);
            throw new ReviewRuleException($"already claimed by {winner?.ReviewerName ?? "another monitor"}");
        }
    }

    /// <summary>Gives a claim back (the holder, or an admin freeing a call someone left claimed).</summary>
    public async Task Release(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await Reviewable(viewer, callId, ct);
        var draft = await Draft(callId, ct) ?? throw new ReviewRuleException("this call is not claimed");
        if (draft.ReviewerId != viewer.Id && !viewer.IsAdmin) throw new ReviewRuleException($"claimed by {draft.ReviewerName}", 403);
        await db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM review_item_verdicts WHERE review_id = @id", new { id = draft.Id }, tx);
            await c.ExecuteAsync("DELETE FROM reviews WHERE id = @id", new { id = draft.Id }, tx);
            await c.ExecuteAsync("UPDATE review_flags SET status = 'open' WHERE call_id = @callId AND status = 'in_review'", new { callId }, tx);
            return 0;
        }, ct);
        await audit.Write(viewer.Login, "release", "call", callId.ToString(), null, Now, ct);
    }

    private async Task<(ReviewRow Draft, CallView View)> MyDraft(Viewer viewer, long callId, CancellationToken ct)
    {
        await Reviewable(viewer, callId, ct);
        var draft = await Draft(callId, ct) ?? throw new ReviewRuleException("claim the call first");
        if (draft.ReviewerId != viewer.Id) throw new ReviewRuleException($"claimed by {draft.ReviewerName}", 403);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        return (draft, view);
    }

    /// <summary>Confirms (same verdict) or overrides (different verdict, reason required) one automatic verdict.</summary>
    public async Task Decide(Viewer viewer, long callId, string itemId, string verdict, string? reason, CancellationToken ct = default)
    {
        if (!Verdicts.IsHuman(verdict)) throw new ReviewRuleException("verdict must be pass, fail or na", 400);
        var (draft, view) = await MyDraft(viewer, callId, ct);
        var item = view.Items.FirstOrDefault(i => i.Id == itemId) ?? throw new ReviewRuleException($"no item {itemId} on this scorecard", 400);
        // Deciding an item the machine left for review is not an override of anything; changing a pass/fail/n.a. is.
        var overrides = item.Verdict != "review" && item.Verdict != verdict;
        reason = InputLimits.OptionalText(reason, "reason", "理由");
        if (overrides && reason is null) throw new ReviewRuleException("an override needs a reason", 400);
        var deduction = verdict == "fail" && !item.Fatal ? item.ItemDeduction : 0;
        await UpsertVerdict(draft.Id, itemId, item.Verdict, verdict, deduction, reason, ct);
        if (overrides)
            await audit.Write(viewer.Login, "override", "call", callId.ToString(),
                $"{itemId}: {item.Verdict} -> {verdict}: {reason}", Now, ct);
    }

    private Task UpsertVerdict(long reviewId, string itemId, string machine, string human, double deduction, string? note, CancellationToken ct) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM review_item_verdicts WHERE review_id = @reviewId AND item_id = @itemId", new { reviewId, itemId }, tx);
            await c.ExecuteAsync("""
                INSERT INTO review_item_verdicts (review_id, item_id, machine_verdict, human_verdict, deduction, note)
                VALUES (@reviewId, @itemId, @machine, @human, @deduction, @note)
                """, new { reviewId, itemId, machine, human, deduction, note }, tx);
            return 0;
        }, ct);

    /// <summary>Finalises the review: items not touched are confirmed as the machine decided them, except items the
    /// machine left for review, which a person must decide. Stores the human final score and closes the flags.</summary>
    public async Task<double> Finalise(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var (draft, view) = await MyDraft(viewer, callId, ct);
        var undecided = view.Items.Where(i => i.Verdict == "review" && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        if (undecided.Count > 0) throw new ReviewRuleException("decide these items first: " + string.Join(", ", undecided), 400);
        foreach (var item in view.Items.Where(i => !view.DraftVerdicts.ContainsKey(i.Id)))
            await UpsertVerdict(draft.Id, item.Id, item.Verdict, item.Verdict, item.Verdict == "fail" && !item.Fatal ? item.ItemDeduction : 0, null, ct);
        var final = FinalOf(view, id => view.DraftVerdicts.TryGetValue(id, out var v) ? v.HumanVerdict : null);
        await db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("UPDATE reviews SET status = 'submitted', final_score = @final, submitted_at = @now WHERE id = @id",
                new { id = draft.Id, final, now = Now }, tx);
            await c.ExecuteAsync("UPDATE review_flags SET status = 'closed' WHERE call_id = @callId", new { callId }, tx);
            return 0;
        }, ct);
        await audit.Write(viewer.Login, "finalise", "call", callId.ToString(),
            $"review {draft.Id}: automatic {view.Scorecard?.Score:0.##}, final {final:0.##}", Now, ct);
        return final;
    }

    private double FinalOf(CallView view, Func<string, string?> human) =>
        RubricCatalog.FinalScore(rubrics.Find(view.Scorecard!.RubricId, view.Scorecard.RubricVersion), view.Scorecard.MaxScore,
            view.Items.Select(i => (i.Id, i.Category, human(i.Id) ?? i.Verdict, i.ItemDeduction, i.Fatal)));

    public async Task Comment(Viewer viewer, long callId, double? atSeconds, string body, CancellationToken ct = default)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (!viewer.CanReview(call.Team) && !viewer.IsTrainer) throw new ReviewRuleException("only monitors and trainers comment on calls", 403);
        body = InputLimits.Text(body, "the comment is empty", "comment", "批注");
        if (atSeconds is { } at)
            InputLimits.CallTime(at, (await details.Load(viewer, callId, ct))?.DurationSeconds, "comment time", "批注时间");
        await db.Run(c => c.ExecuteAsync("INSERT INTO comments (call_id, author_id, at_seconds, body, created_at) VALUES (@callId, @author, @atSeconds, @body, @now)",
            new { callId, author = viewer.Id, atSeconds, body, now = Now }), ct);
    }

    // ---- the agent's side ----

    private async Task<CallView> MyCall(Viewer viewer, long callId, CancellationToken ct)
    {
        if (!viewer.IsAgent) throw new ReviewRuleException("only the agent of a call acknowledges or disputes it", 403);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (view.Call.AgentId != viewer.AgentId) throw new ReviewRuleException($"no call {callId}", 404);
        return view;
    }

    /// <summary>The agent has read the review (or, without one, the automatic scorecard).</summary>
    public async Task Acknowledge(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var view = await MyCall(viewer, callId, ct);
        if (view.LastSubmitted is not { } review) throw new ReviewRuleException("this call has no finished review to acknowledge");
        await db.Run(c => c.ExecuteAsync("UPDATE reviews SET acknowledged_at = @now WHERE id = @id AND acknowledged_at IS NULL",
            new { id = review.Id, now = Now }), ct);
        await audit.Write(viewer.Login, "acknowledge", "call", callId.ToString(), $"review {review.Id}", Now, ct);
    }

    /// <summary>When the agent may still dispute: the dispute window (days, admin setting) counts from the review,
    /// or from the automatic scoring when nobody reviewed the call.</summary>
    public async Task<DateTime?> DisputeDeadline(CallView view, CancellationToken ct = default)
    {
        var from = view.LastSubmitted?.SubmittedAt ?? view.Scorecard?.CreatedAt;
        return from is null ? null : from.Value.AddDays(await settings.DisputeWindowDays(ct));
    }

    /// <summary>What an agent may claim a disputed item should be: it passed, or it did not apply to this call.</summary>
    public static readonly string[] DisputeClaims = ["pass", "na"];

    /// <summary>The item's verdict as it counts now: the last finished review's, else the automatic one.</summary>
    public static string CurrentVerdict(CallView view, MachineItem item) =>
        view.SubmittedVerdicts.TryGetValue(item.Id, out var v) ? v.HumanVerdict : item.Verdict;

    /// <summary>An agent disputes an item that cost points (a fail) or that nobody has decided yet (in review) — not
    /// one that passed or did not apply, where there is no deduction to withdraw.</summary>
    public static bool Disputable(CallView view, MachineItem item) => CurrentVerdict(view, item) is "fail" or "review";

    public async Task<long> Dispute(Viewer viewer, long callId, string itemId, string reason, CancellationToken ct = default, string? claim = null)
    {
        var view = await MyCall(viewer, callId, ct);
        reason = InputLimits.Text(reason, "say why you dispute this item", "dispute reason", "申诉理由");
        claim = InputLimits.OneOf(claim, DisputeClaims, "claimed verdict", "主张的判定") ?? "pass";
        if (view.Scorecard is null || view.Items.FirstOrDefault(i => i.Id == itemId) is not { } item) throw new ReviewRuleException($"no item {itemId} on this scorecard", 400);
        if (!Disputable(view, item))
            throw new ReviewRuleException("only an item that cost points or is still in review can be disputed", 400, "只能对扣分或待复核的评分项提出申诉");
        if (await DisputeDeadline(view, ct) is { } deadline && Now > deadline)
            throw new ReviewRuleException($"the dispute window closed on {deadline:yyyy-MM-dd HH:mm} UTC");
        if (view.Disputes.Any(d => d.ItemId == itemId && d.Status == "open")) throw new ReviewRuleException("this item is already disputed");
        var insert = db.Engine == DatabaseEngine.SqlServer
            ? "INSERT INTO disputes (call_id, scorecard_id, review_id, raised_by, item_id, reason, claimed_verdict, status, created_at) OUTPUT INSERTED.id VALUES (@callId, @scorecardId, @reviewId, @raisedBy, @itemId, @reason, @claim, 'open', @now)"
            : "INSERT INTO disputes (call_id, scorecard_id, review_id, raised_by, item_id, reason, claimed_verdict, status, created_at) VALUES (@callId, @scorecardId, @reviewId, @raisedBy, @itemId, @reason, @claim, 'open', @now) RETURNING id";
        var id = await db.Run(c => c.ExecuteScalarAsync<long>(insert, new
        {
            callId, scorecardId = view.Scorecard.Id, reviewId = view.LastSubmitted?.Id, raisedBy = viewer.Id, itemId, reason, claim, now = Now,
        }), ct);
        await audit.Write(viewer.Login, "dispute", "call", callId.ToString(), $"dispute {id} on {itemId} ({CurrentVerdict(view, item)}, claims {claim}): {reason}", Now, ct);
        return id;
    }

    /// <summary>A monitor upholds or rejects a dispute. Upholding withdraws the deduction: the item becomes what the
    /// agent claimed (pass, or n/a), never a new fail, and the final score is recomputed. The verdict and the final
    /// score before and after are stored on the dispute (the agent sees them on the call page) and audited.</summary>
    public async Task DecideDispute(Viewer viewer, long disputeId, bool uphold, string resolution, CancellationToken ct = default)
    {
        var dispute = await db.Run(c => c.QuerySingleOrDefaultAsync<DisputeRow>(
            "SELECT id, call_id, scorecard_id, review_id, item_id, reason, claimed_verdict, status, created_at FROM disputes WHERE id = @disputeId", new { disputeId }), ct)
            ?? throw new ReviewRuleException($"no dispute {disputeId}", 404);
        await Reviewable(viewer, dispute.CallId, ct);
        if (dispute.Status != "open") throw new ReviewRuleException("this dispute is already decided");
        resolution = InputLimits.Text(resolution, "give the outcome a reason", "resolution", "处理意见");
        var view = await details.Load(viewer, dispute.CallId, ct) ?? throw new ReviewRuleException($"no call {dispute.CallId}", 404);
        var item = view.Items.First(i => i.Id == dispute.ItemId);
        var before = CurrentVerdict(view, item);
        var scoreBefore = view.LastSubmitted?.FinalScore ?? view.Scorecard?.Score;
        string? after = null;
        double? newFinal = null;
        if (uphold)
        {
            // The deduction is withdrawn: the item becomes what the agent claimed (a dispute raised before claims existed
            // claims a pass). The automatic verdict stays on record beside it.
            after = dispute.ClaimedVerdict is "na" ? "na" : "pass";
            var verdicts = view.Items.ToDictionary(i => i.Id, i => view.SubmittedVerdicts.TryGetValue(i.Id, out var hv) ? hv.HumanVerdict : i.Verdict == "review" ? "pass" : i.Verdict);
            verdicts[item.Id] = after;
            newFinal = FinalOf(view, id => verdicts[id]);
            var reviewId = view.LastSubmitted?.Id;
            var note = $"dispute {disputeId} upheld: {resolution}";
            await db.InTransaction(async (c, tx) =>
            {
                if (reviewId is null)
                {
                    // Nobody reviewed the call: the decision becomes its human review, by the deciding monitor.
                    var insert = db.Engine == DatabaseEngine.SqlServer
                        ? "INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, final_score, started_at, submitted_at) OUTPUT INSERTED.id VALUES (@callId, @scorecardId, @reviewer, 'submitted', @final, @now, @now)"
                        : "INSERT INTO reviews (call_id, scorecard_id, reviewer_id, status, final_score, started_at, submitted_at) VALUES (@callId, @scorecardId, @reviewer, 'submitted', @final, @now, @now) RETURNING id";
                    reviewId = await c.ExecuteScalarAsync<long>(insert, new { callId = dispute.CallId, scorecardId = dispute.ScorecardId, reviewer = viewer.Id, final = newFinal, now = Now }, tx);
                    foreach (var i in view.Items)
                        await c.ExecuteAsync("""
                            INSERT INTO review_item_verdicts (review_id, item_id, machine_verdict, human_verdict, deduction, note)
                            VALUES (@reviewId, @itemId, @machine, @human, @deduction, @note)
                            """, new { reviewId, itemId = i.Id, machine = i.Verdict, human = verdicts[i.Id],
                                deduction = verdicts[i.Id] == "fail" && !i.Fatal ? i.ItemDeduction : 0,
                                note = i.Id == item.Id ? note : null }, tx);
                }
                else
                {
                    await c.ExecuteAsync("""
                        UPDATE review_item_verdicts SET human_verdict = @after, deduction = 0, note = @note
                        WHERE review_id = @reviewId AND item_id = @itemId
                        """, new { reviewId, itemId = item.Id, after, note }, tx);
                    await c.ExecuteAsync("UPDATE reviews SET final_score = @final WHERE id = @reviewId", new { reviewId, final = newFinal }, tx);
                }
                await c.ExecuteAsync("UPDATE disputes SET review_id = @reviewId WHERE id = @disputeId", new { reviewId, disputeId }, tx);
                return 0;
            }, ct);
        }
        await db.Run(c => c.ExecuteAsync("""
            UPDATE disputes SET status = @status, resolved_by = @by, resolution = @resolution, resolved_at = @now,
                   verdict_before = @before, verdict_after = @after, score_before = @scoreBefore, score_after = @scoreAfter
            WHERE id = @disputeId AND status = 'open'
            """, new { disputeId, status = uphold ? "upheld" : "rejected", by = viewer.Id, resolution, now = Now,
                before, after = after ?? before, scoreBefore, scoreAfter = newFinal ?? scoreBefore }), ct);
        await audit.Write(viewer.Login, uphold ? "dispute upheld" : "dispute rejected", "call", dispute.CallId.ToString(),
            $"dispute {disputeId} on {dispute.ItemId}: {before} -> {after ?? before}; final score {scoreBefore:0.##} -> {newFinal ?? scoreBefore:0.##}: {resolution}", Now, ct);
    }

    private static bool IsUniqueViolation(DbException e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19,
        Npgsql.PostgresException p => p.SqlState == "23505",
        Microsoft.Data.SqlClient.SqlException q => q.Number is 2601 or 2627,
        _ => false,
    };
}
