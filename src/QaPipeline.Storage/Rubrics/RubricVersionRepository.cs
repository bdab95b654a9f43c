using Dapper;

namespace QaPipeline.Storage;

/// <summary>A rubric version published from the browser: which file, by whom, why, from when.</summary>
public sealed class RubricVersionRecord
{
    public long Id { get; init; }
    public string RubricId { get; init; } = "";
    public string Version { get; init; } = "";
    public string Hash { get; init; } = "";
    public string Path { get; init; } = "";
    public string Note { get; init; } = "";
    public string PublishedBy { get; init; } = "";
    public DateTime PublishedAt { get; init; }
}

/// <summary>The version history of published rubrics (scorecards point at their version by rubric id, version and hash).</summary>
public sealed class RubricVersionRepository(Database db)
{
    public Task Add(string rubricId, string version, string hash, string path, string note, string by, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("""
            INSERT INTO rubric_versions (rubric_id, version, hash, path, note, published_by, published_at)
            VALUES (@rubricId, @version, @hash, @path, @note, @by, @now)
            """, new { rubricId, version, hash, path, note, by, now }), ct);

    public async Task<IReadOnlyList<RubricVersionRecord>> History(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<RubricVersionRecord>(
            "SELECT id, rubric_id, version, hash, path, note, published_by, published_at FROM rubric_versions ORDER BY id DESC"), ct)).AsList();
}
