using QaPipeline.Scoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Calls;

/// <summary>
/// Keeps <c>scorecard_items</c> (one row per item verdict) and <c>scorecard_reasons</c> (the call reasons) in step with the pipeline's scorecards, so the library
/// search, the queue's item filter and the dashboards use an index rather than parsing scorecard JSON. Catch-up
/// is by scorecard id (rows are only ever added), idempotent, and safe with several web nodes.
/// </summary>
public sealed class ScorecardItemProjection(ResultRepository results, CallReasonRepository reasons, ILogger<ScorecardItemProjection> log) : BackgroundService
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await CatchUp(1000, stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("scorecard item projection: {Error}", e.Message);
            }
            try { await Task.Delay(Interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Projects up to <paramref name="batch"/> scorecards not projected yet; returns how many.</summary>
    public async Task<int> CatchUp(int batch, CancellationToken ct = default)
    {
        var cards = await results.UnprojectedScorecards(batch, ct);
        if (cards.Count == 0) return 0;
        var rows = new List<ScorecardItemRow>();
        var tags = new List<CallReasonRepository.Tag>();
        foreach (var (id, callId, json) in cards)
        {
            var card = ScorecardJson.Parse(json);
            tags.AddRange(card.CallReasons.Select(r => new CallReasonRepository.Tag(id, callId, r.Id, r.Name)));
            foreach (var item in card.Items)
                rows.Add(new ScorecardItemRow(id, callId, item.Id, item.Verdict.Word(), item.Deduction));
        }
        // Reasons first: the items mark the scorecard projected, so a crash in between projects the reasons again.
        await reasons.Add(tags, ct);
        await results.AddScorecardItems(rows, ct);
        return cards.Count;
    }
}
