using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Calls;

/// <summary>
/// Keeps <c>scorecard_items</c> (one row per item verdict) and <c>scorecard_reasons</c> (the call reasons) in step with the pipeline's scorecards, so the library
/// search, the queue's item filter and the dashboards use an index rather than parsing scorecard JSON. Catch-up
/// is by scorecard id (rows are only ever added), idempotent, and safe with several web nodes.
/// </summary>
public sealed class ScorecardItemProjection(Database db, CallReasonRepository reasons, ILogger<ScorecardItemProjection> log) : BackgroundService
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
        var top = db.Engine == DatabaseEngine.SqlServer ? "TOP (@batch)" : "";
        var limit = db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @batch";
        var cards = (await db.Run(c => c.QueryAsync<(long Id, long CallId, string Json)>($"""
            SELECT {top} s.id, s.call_id, s.json FROM scorecards s
            WHERE s.id > COALESCE((SELECT MAX(scorecard_id) FROM scorecard_items), 0)
            ORDER BY s.id {limit}
            """, new { batch }), ct)).AsList();
        if (cards.Count == 0) return 0;
        var rows = new List<object>();
        var tags = new List<CallReasonRepository.Tag>();
        foreach (var (id, callId, json) in cards)
        {
            var card = ScorecardJson.Parse(json);
            tags.AddRange(card.CallReasons.Select(r => new CallReasonRepository.Tag(id, callId, r.Id, r.Name)));
            foreach (var item in card.Items)
                rows.Add(new { scorecardId = id, callId, itemId = item.Id, verdict = item.Verdict.ToString().ToLowerInvariant(),
                    deduction = item.Deduction });
        }
        var insert = db.Engine == DatabaseEngine.SqlServer
            ? """
              INSERT INTO scorecard_items (scorecard_id, call_id, item_id, verdict, deduction)
              SELECT @scorecardId, @callId, @itemId, @verdict, @deduction
              WHERE NOT EXISTS (SELECT 1 FROM scorecard_items WHERE scorecard_id = @scorecardId AND item_id = @itemId)
              """
            : """
              INSERT INTO scorecard_items (scorecard_id, call_id, item_id, verdict, deduction)
              VALUES (@scorecardId, @callId, @itemId, @verdict, @deduction) ON CONFLICT DO NOTHING
              """;
        // Reasons first: the items mark the scorecard projected, so a crash in between projects the reasons again.
        await reasons.Add(tags, ct);
        await db.InTransaction((c, tx) => c.ExecuteAsync(insert, rows, tx), ct);
        return cards.Count;
    }
}
