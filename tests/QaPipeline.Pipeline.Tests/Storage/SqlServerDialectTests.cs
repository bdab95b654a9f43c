using System.Text.RegularExpressions;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Storage;

/// <summary>No SQL Server runs on these machines: these pin its migration dialect without a server.</summary>
public sealed class SqlServerDialectTests
{
    /// <summary>The tables the scripts create, in order. SQLite changes a constraint by rebuilding the table (create
    /// <c>x_new</c>, copy, drop, rename to <c>x</c>): that counts as the table it becomes, which already exists.</summary>
    private static IEnumerable<string> CreatedTables(DatabaseEngine engine) =>
        SchemaMigrations.Scripts(engine)
            .SelectMany(s =>
            {
                var renamed = Regex.Matches(s.Contents, @"ALTER TABLE (\w+) RENAME TO (\w+)").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
                return Regex.Matches(s.Contents, @"CREATE TABLE (\w+)").Select(m => renamed.GetValueOrDefault(m.Groups[1].Value, m.Groups[1].Value));
            })
            .Distinct();

    [Fact]
    public void Every_engine_creates_the_same_tables_in_the_same_numbered_scripts()
    {
        var sqlite = CreatedTables(DatabaseEngine.Sqlite).ToList();
        Assert.Contains("calls", sqlite);
        Assert.Equal(sqlite, CreatedTables(DatabaseEngine.Postgres));
        Assert.Equal(sqlite, CreatedTables(DatabaseEngine.SqlServer));
        var names = DatabaseEngine.GetValues<DatabaseEngine>()
            .Select(e => SchemaMigrations.Scripts(e).Select(s => s.Name[(s.Name.LastIndexOf(".Migrations.", StringComparison.Ordinal) + 12)..].Split('.', 2)[1]));
        Assert.Single(names.Select(n => string.Join(",", n)).Distinct());
    }

    [Fact]
    public void Sql_server_scripts_use_t_sql_types_and_batches()
    {
        var scripts = SchemaMigrations.Scripts(DatabaseEngine.SqlServer);
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var sql = script.Contents;
            foreach (var foreign in new[] { "AUTOINCREMENT", "TIMESTAMPTZ", "BOOLEAN", "GENERATED ALWAYS", "ON CONFLICT", "RETURNING" })
                Assert.DoesNotContain(foreign, sql, StringComparison.OrdinalIgnoreCase);
            // Every CREATE ends its own GO batch (DbUp's SQL Server runner splits on GO); a batch of ALTERs alone is fine.
            var batches = Regex.Split(sql, @"^\s*GO\s*$", RegexOptions.Multiline).Where(b => Regex.IsMatch(b, @"\bCREATE\b"));
            Assert.All(batches, b => Assert.Single(Regex.Matches(b, @"\bCREATE\s+(UNIQUE\s+)?(TABLE|INDEX)\b")));
        }
        var all = string.Join("\n", scripts.Select(s => s.Contents));
        Assert.Matches(@"\bid\s+BIGINT IDENTITY\(1,1\) PRIMARY KEY", all);
        Assert.Matches(@"\bfatal\s+BIT NOT NULL", all);
        // SQL Server's UNIQUE admits one NULL: agents' optional link must use a filtered index.
        Assert.Contains("CREATE UNIQUE INDEX ux_users_agent_id ON users (agent_id) WHERE agent_id IS NOT NULL", all);
    }

    [Fact]
    public void Unique_text_columns_have_an_indexable_width_on_sql_server()
    {
        var calls = SchemaMigrations.Scripts(DatabaseEngine.SqlServer).First().Contents;
        Assert.Matches(@"content_hash\s+VARCHAR\(64\)\s+NOT NULL UNIQUE", calls);
        Assert.Matches(@"rubric_hash\s+VARCHAR\(64\)", calls);
        Assert.DoesNotMatch(@"NVARCHAR\(MAX\)[^,\n]*UNIQUE", calls);
    }
}
