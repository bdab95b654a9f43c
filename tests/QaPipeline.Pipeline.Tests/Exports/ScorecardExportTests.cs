using QaPipeline.Centre.Exports;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Exports;

/// <summary>The scorecard export's scope on every engine, on calls scored by a real node (the <c>qa export scorecards</c> and
/// <c>qa rescore --dry-run</c> contract: Cli.Tests, <c>ScorecardCommandsTests</c>).</summary>
[Collection(EngineCollection.Name)]
public sealed class ScorecardExportTests(EngineFixture engines)
{
    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public async Task Export_keeps_to_its_scope_on_every_engine(string engine)
    {
        var db = engines.NewDatabase(engine);
        var (_, ids) = await TestCalls.ScoredCentre(db);
        var export = new ScorecardExport(new ScorecardExportRepository(db));
        async Task<List<object?[]>> Rows(CallScope scope)
        {
            var columns = await export.Columns(null, null, scope);
            var rows = new List<object?[]>();
            await foreach (var row in export.Rows(columns, null, null, scope)) rows.Add(row);
            return rows;
        }
        Assert.Equal(ids, (await Rows(CallScope.All)).Select(r => (long)r[0]!));
        Assert.Equal([ids[0], ids[1]], (await Rows(new CallScope(false, [], "A01"))).Select(r => (long)r[0]!));
        Assert.Equal(ids, (await Rows(new CallScope(false, ["T1"], null))).Select(r => (long)r[0]!));
        Assert.Empty(await Rows(new CallScope(false, ["other"], null)));
    }
}
