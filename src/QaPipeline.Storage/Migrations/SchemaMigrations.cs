using Dapper;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace QaPipeline.Storage;

/// <summary>
/// The schema of each engine: <c>Migrations/&lt;engine&gt;/0001_baseline.sql</c> (every table as it stands at the
/// first release) and numbered scripts after it, applied in order by DbUp, each once, each in its own transaction.
/// A change adds a script for every engine; a shipped script is never edited.
/// </summary>
public static class SchemaMigrations
{
    public static void Apply(Database db)
    {
        var builder = db.Engine switch
        {
            DatabaseEngine.Sqlite => DeployChanges.To.SqliteDatabase(db.ConnectionString),
            DatabaseEngine.Postgres => DeployChanges.To.PostgresqlDatabase(db.ConnectionString),
            DatabaseEngine.SqlServer => DeployChanges.To.SqlDatabase(db.ConnectionString),
            _ => throw new InvalidOperationException(),
        };
        if (db.Engine == DatabaseEngine.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            using var c = new SqliteConnection(db.ConnectionString);
            c.Open();
            // WAL lets readers (the web app, qa calls list) run while a worker writes.
            c.Execute("PRAGMA journal_mode = WAL;");
        }
        var folder = Folder(db.Engine);
        var upgrader = builder
            .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrations).Assembly, name => name.Contains($".Migrations.{folder}."))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException(
                $"database migration failed in {result.ErrorScript?.Name ?? "?"}: {result.Error?.Message}", result.Error);
    }

    public static string Folder(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.Sqlite => "sqlite",
        DatabaseEngine.Postgres => "postgres",
        _ => "sqlserver",
    };

    /// <summary>The embedded migration scripts of one engine, in the order DbUp runs them.</summary>
    public static IReadOnlyList<SqlScript> Scripts(DatabaseEngine engine)
    {
        var asm = typeof(SchemaMigrations).Assembly;
        var folder = Folder(engine);
        return asm.GetManifestResourceNames()
            .Where(n => n.Contains($".Migrations.{folder}.") && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var s = asm.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s);
                return new SqlScript(n, r.ReadToEnd());
            })
            .ToList();
    }
}
