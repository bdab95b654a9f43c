using Dapper;

namespace QaPipeline.Storage;

/// <summary>Append-only record of who did what: the pipeline writes ingests, parks, retries and rescores;
/// the web app adds reviews and disputes.</summary>
public sealed class AuditLog(Database db)
{
    public Task Write(string actor, string action, string entity, string? entityId, string? detail, DateTime now,
        CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (@now, @actor, @action, @entity, @entityId, @detail)",
            new { now, actor, action, entity, entityId, detail }), ct);

    public async Task<IReadOnlyList<(string Action, string? EntityId, string? Detail)>> ForEntity(string entity, string entityId,
        CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string, string?, string?)>(
            "SELECT action, entity_id, detail FROM audit_log WHERE entity = @entity AND entity_id = @entityId ORDER BY id",
            new { entity, entityId }), ct)).AsList();

    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="afterId"/>, oldest first (keyset pages for the export).</summary>
    public async Task<IReadOnlyList<(long Id, DateTime At, string Actor, string Action, string Entity, string? EntityId, string? Detail)>> Page(
        long afterId, int limit, CancellationToken ct = default)
    {
        var (top, tail) = db.Engine == DatabaseEngine.SqlServer ? ("TOP (@limit) ", "") : ("", " LIMIT @limit");
        return (await db.Run(c => c.QueryAsync<(long, DateTime, string, string, string, string?, string?)>(
            $"SELECT {top}id, at, actor, action, entity, entity_id, detail FROM audit_log WHERE id > @afterId ORDER BY id{tail}",
            new { afterId, limit }), ct)).AsList();
    }

    /// <summary>The latest entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> Recent(int limit, CancellationToken ct = default)
    {
        var (top, tail) = db.Dialect.RowLimit("@limit");
        return (await db.Run(c => c.QueryAsync<AuditRow>($"SELECT {top} at, actor, action, entity, entity_id, detail FROM audit_log ORDER BY id DESC {tail}",
            new { limit }), ct)).AsList();
    }
}

public sealed class AuditRow
{
    public DateTime At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Entity { get; init; } = "";
    public string? EntityId { get; init; }
    public string? Detail { get; init; }
}
