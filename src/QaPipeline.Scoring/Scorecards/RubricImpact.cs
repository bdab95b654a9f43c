namespace QaPipeline.Scoring.Scorecards;

/// <summary>How one call's automatic verdicts change between its current scorecard and a candidate rubric's:
/// the items whose verdict flipped and the score change. A flip from or to <c>none</c> is an item that only one
/// of the two rubrics has (added or removed by the candidate).</summary>
public sealed record ScorecardChange(IReadOnlyList<(string ItemId, string From, string To)> Flips, double ScoreDelta)
{
    public bool Changed => Flips.Count > 0 || ScoreDelta != 0;

    public const string Absent = "none";

    public static ScorecardChange Between(Scorecard current, Scorecard candidate)
    {
        var before = current.Items.ToDictionary(i => i.Id, i => i.Verdict.Word());
        var flips = new List<(string, string, string)>();
        foreach (var item in candidate.Items)
        {
            var from = before.Remove(item.Id, out var old) ? old : Absent;
            var to = item.Verdict.Word();
            if (from != to) flips.Add((item.Id, from, to));
        }
        foreach (var (id, old) in before) flips.Add((id, old, Absent));
        return new ScorecardChange(flips, candidate.Score - current.Score);
    }
}

/// <summary>
/// What re-scoring a period with a candidate rubric would change, summed over calls: the per-item flip counts
/// (<c>pass-&gt;fail</c> ...), the score change overall, per agent and per team, and a few sample calls per flip so a
/// QA lead can open them. Both <c>qa rescore --dry-run</c> and the browser's impact preview fill one of these, so
/// the two can never disagree.
/// </summary>
public sealed class RubricImpact(int samplesPerFlip = 5)
{
    private readonly SortedDictionary<string, SortedDictionary<string, int>> _flips = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Item, string Pair), List<string>> _samples = [];
    private readonly Dictionary<string, ScoreDelta> _byAgent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScoreDelta> _byTeam = new(StringComparer.Ordinal);

    public int Calls { get; private set; }
    public int ChangedCalls { get; private set; }
    public ScoreDelta Overall { get; } = new();

    /// <summary>Item id → <c>FROM-&gt;TO</c> → calls; only non-zero counts appear.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, int>> ItemsFlipped => _flips;
    public IReadOnlyDictionary<string, ScoreDelta> ByAgent => _byAgent;
    public IReadOnlyDictionary<string, ScoreDelta> ByTeam => _byTeam;

    /// <summary>Up to the sample size of call references (as the caller names them) that flipped this way.</summary>
    public IReadOnlyList<string> Samples(string itemId, string pair) =>
        _samples.TryGetValue((itemId, pair), out var list) ? list : [];

    public void Add(string callRef, string? agent, string? team, ScorecardChange change)
    {
        Calls++;
        if (change.Changed) ChangedCalls++;
        Overall.Add(change.ScoreDelta);
        if (agent is not null) Delta(_byAgent, agent).Add(change.ScoreDelta);
        if (team is not null) Delta(_byTeam, team).Add(change.ScoreDelta);
        foreach (var (item, from, to) in change.Flips)
        {
            var pair = $"{from}->{to}";
            if (!_flips.TryGetValue(item, out var pairs)) _flips[item] = pairs = new SortedDictionary<string, int>(StringComparer.Ordinal);
            pairs[pair] = pairs.GetValueOrDefault(pair) + 1;
            if (!_samples.TryGetValue((item, pair), out var list)) _samples[(item, pair)] = list = [];
            if (list.Count < samplesPerFlip) list.Add(callRef);
        }
    }

    private static ScoreDelta Delta(Dictionary<string, ScoreDelta> map, string key)
    {
        if (!map.TryGetValue(key, out var d)) map[key] = d = new ScoreDelta();
        return d;
    }
}

/// <summary>Running mean, minimum and maximum of score changes (points), without keeping the values.</summary>
public sealed class ScoreDelta
{
    private double _sum;

    public int Calls { get; private set; }
    public double Mean => Calls == 0 ? 0 : _sum / Calls;
    public double Min { get; private set; }
    public double Max { get; private set; }

    public void Add(double delta)
    {
        Min = Calls == 0 ? delta : Math.Min(Min, delta);
        Max = Calls == 0 ? delta : Math.Max(Max, delta);
        _sum += delta;
        Calls++;
    }
}
