using System.Runtime.CompilerServices;
using QaPipeline.Scoring;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Centre.Exports;

/// <summary>
/// The scorecard export of the CLI contract: one row per scored call of the period (its current scorecard) with
/// <c>call_id, external_call_id, agent_id, team, queue, started_at, rubric, rubric_version, automatic_score,
/// final_score, fatal</c>, then one column per rubric item holding the verdict — the human verdict where a review
/// changed it. When the period mixes rubrics the item columns are the union, first rubric's order first; a call
/// whose rubric lacks an item leaves that cell empty. <c>final_score</c> is the reviewer's score when the current
/// scorecard was reviewed, else the automatic score (the score that stands). With call reasons asked for, a last
/// column <c>call_reasons</c> lists the call's reason ids joined by <c>;</c> (off by default: the contract's layout).
/// </summary>
public sealed class ScorecardExport(ScorecardExportRepository repository)
{
    public static readonly string[] FixedColumns =
        ["call_id", "external_call_id", "agent_id", "team", "queue", "started_at", "rubric", "rubric_version", "automatic_score", "final_score", "fatal"];

    /// <summary>Calls read per query: small enough to keep memory flat, large enough that 100,000 calls are 100 queries.</summary>
    public const int PageSize = 1000;

    public const string CallReasonsColumn = "call_reasons";

    public async Task<IReadOnlyList<string>> Columns(DateTime? from, DateTime? to, CallScope scope, bool withReasons = false,
        CancellationToken ct = default)
    {
        var items = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var json in await repository.RubricSamples(from, to, scope, ct))
            foreach (var item in ScorecardJson.Parse(json).Items)
                if (seen.Add(item.Id)) items.Add(item.Id);
        return withReasons ? [.. FixedColumns, .. items, CallReasonsColumn] : [.. FixedColumns, .. items];
    }

    public async Task Write(Stream output, ExportFormat format, DateTime? from, DateTime? to, CallScope scope, bool withReasons = false,
        CancellationToken ct = default)
    {
        var columns = await Columns(from, to, scope, withReasons, ct);
        await TableExport.Write(output, format, columns, Rows(columns, from, to, scope, ct), "scorecards", ct);
    }

    public async IAsyncEnumerable<object?[]> Rows(IReadOnlyList<string> columns, DateTime? from, DateTime? to, CallScope scope,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var withReasons = columns[^1] == CallReasonsColumn;
        var itemIds = columns.Skip(FixedColumns.Length).Take(columns.Count - FixedColumns.Length - (withReasons ? 1 : 0)).ToArray();
        long after = 0;
        while (true)
        {
            var page = await repository.Page(from, to, scope, after, PageSize, ct);
            if (page.Count == 0) yield break;
            var human = await repository.HumanVerdicts(page.Where(r => r.ReviewId is not null).Select(r => r.ReviewId!.Value).ToList(), ct);
            foreach (var call in page)
            {
                var card = ScorecardJson.Parse(call.Json);
                var verdicts = card.Items.ToDictionary(i => i.Id, i => i.Verdict.Word());
                if (call.ReviewId is { } reviewId && human.TryGetValue(reviewId, out var decided))
                    foreach (var (item, verdict) in decided)
                        if (verdicts.ContainsKey(item)) verdicts[item] = verdict;
                var row = new object?[columns.Count];
                row[0] = call.CallId;
                row[1] = call.ExternalCallId;
                row[2] = call.AgentId;
                row[3] = call.Team;
                row[4] = call.Queue;
                row[5] = call.StartedAt;
                row[6] = call.RubricId;
                row[7] = call.RubricVersion;
                row[8] = call.Score;
                row[9] = call.FinalScore ?? call.Score;
                row[10] = call.Fatal;
                for (var i = 0; i < itemIds.Length; i++)
                    row[FixedColumns.Length + i] = verdicts.GetValueOrDefault(itemIds[i]);
                if (withReasons) row[^1] = string.Join(';', card.CallReasons.Select(r => r.Id));
                yield return row;
            }
            if (page.Count < PageSize) yield break;
            after = page[^1].CallId;
        }
    }
}
