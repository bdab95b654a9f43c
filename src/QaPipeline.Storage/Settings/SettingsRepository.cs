using Dapper;

namespace QaPipeline.Storage;

/// <summary>Settings an admin changes while the centre runs (<c>web_settings</c>): one row per key.</summary>
public sealed class SettingsRepository(Database db)
{
    // "key" is a reserved word in T-SQL.
    private string KeyColumn => db.Engine == DatabaseEngine.SqlServer ? "[key]" : "key";

    public async Task<IReadOnlyDictionary<string, string>> All(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string Key, string Value)>($"SELECT {KeyColumn}, value FROM web_settings"), ct))
        .ToDictionary(r => r.Key, r => r.Value);

    public async Task<string?> Get(string key, CancellationToken ct = default) =>
        await db.Run(c => c.ExecuteScalarAsync<string?>($"SELECT value FROM web_settings WHERE {KeyColumn} = @key", new { key }), ct);

    /// <summary>Replaces a setting's value (delete then insert: one statement shape on every engine).</summary>
    public Task Set(string key, string value, string by, DateTime now, CancellationToken ct = default)
    {
        var k = KeyColumn;
        return db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync($"DELETE FROM web_settings WHERE {k} = @key", new { key }, tx);
            await c.ExecuteAsync($"INSERT INTO web_settings ({k}, value, updated_by, updated_at) VALUES (@key, @value, @by, @now)",
                new { key, value, by, now }, tx);
            return 0;
        }, ct);
    }
}
