using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Disputes;

/// <summary>The agent disputes one item of their call, within the dispute window.</summary>
public sealed class RaiseDispute(ReviewAccess access, DisputeRepository disputes, WebSettings settings, AuditLog audit)
{
    /// <summary>When the agent may still dispute: the dispute window (days, admin setting) counts from the review,
    /// or from the automatic scoring when nobody reviewed the call.</summary>
    public async Task<DateTime?> Deadline(CallView view, CancellationToken ct = default)
    {
        var from = view.LastSubmitted?.SubmittedAt ?? view.Scorecard?.CreatedAt;
        return from is null ? null : from.Value.AddDays(await settings.DisputeWindowDays(ct));
    }

    public async Task<long> Raise(Viewer viewer, long callId, string itemId, string reason, CancellationToken ct = default)
    {
        var view = await access.AgentsOwnCall(viewer, callId, ct);
        if (string.IsNullOrWhiteSpace(reason)) throw new ReviewRuleException("say why you dispute this item", 400);
        if (view.Scorecard is null || view.Items.All(i => i.Id != itemId)) throw new ReviewRuleException($"no item {itemId} on this scorecard", 400);
        if (await Deadline(view, ct) is { } deadline && access.Now > deadline)
            throw new ReviewRuleException($"the dispute window closed on {deadline:yyyy-MM-dd HH:mm} UTC");
        if (view.Disputes.Any(d => d.ItemId == itemId && d.Status == "open")) throw new ReviewRuleException("this item is already disputed");
        var id = await disputes.Raise(callId, view.Scorecard.Id, view.LastSubmitted?.Id, viewer.Id, itemId, reason.Trim(), access.Now, ct);
        await audit.Write(viewer.Login, "dispute", "call", callId.ToString(), $"dispute {id} on {itemId}: {reason.Trim()}", access.Now, ct);
        return id;
    }
}
