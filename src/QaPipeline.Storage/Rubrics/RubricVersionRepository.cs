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

    /// <summary>Calls that started from this instant on are scored with it; null: from publication.</summary>
    public DateTime? AppliesFrom { get; init; }

    /// <summary><see cref="RubricVersionRepository.Rubric"/> or <see cref="RubricVersionRepository.Routing"/>.</summary>
    public string Kind { get; init; } = RubricVersionRepository.Rubric;
}

/// <summary>The version history of published rubrics (scorecards point at their version by rubric id, version and hash).</summary>
public sealed class RubricVersionRepository(Database db)
{
    public const string Rubric = "rubric";
    public const string Routing = "routing";

    public Task Add(string rubricId, string version, string hash, string path, string note, string by, DateTime now, CancellationToken ct = default,
        DateTime? appliesFrom = null, string kind = Rubric) =>
        db.Run(c => c.ExecuteAsync("""
            INSERT INTO rubric_versions (rubric_id, version, hash, path, note, published_by, published_at, applies_from, kind)
            VALUES (@rubricId, @version, @hash, @path, @note, @by, @now, @appliesFrom, @kind)
            """, new { rubricId, version, hash, path, note, by, now, appliesFrom, kind }), ct);

    /// <summary>The published versions of one kind (rubrics or the routing table), newest first.</summary>
    public async Task<IReadOnlyList<RubricVersionRecord>> History(CancellationToken ct = default, string kind = Rubric) =>
        (await db.Run(c => c.QueryAsync<RubricVersionRecord>("""
            SELECT id, rubric_id, version, hash, path, note, published_by, published_at, applies_from, kind
            FROM rubric_versions WHERE kind = @kind ORDER BY id DESC
            """, new { kind }), ct)).AsList();
}
