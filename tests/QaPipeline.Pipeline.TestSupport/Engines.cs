using Microsoft.Data.Sqlite;
using QaPipeline.Storage;

using QaPipeline.TestSupport;
using Xunit;

namespace QaPipeline.Pipeline.TestSupport;

/// <summary>
/// One private PostgreSQL cluster for the whole test run (started with initdb/pg_ctl on a free loopback
/// port, removed at the end) and fresh databases on demand for each engine. PostgreSQL missing is a test
/// failure, not a skip: setup.sh installs it. SQL Server runs only when QA_SQLSERVER_CONNECTION is set.
/// </summary>
public sealed class EngineFixture : IDisposable
{
    private readonly Lazy<LocalPostgres> _postgres = new(LocalPostgres.Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly List<string> _sqliteFiles = [];
    private int _next;

    public static string? SqlServerConnection => Environment.GetEnvironmentVariable("QA_SQLSERVER_CONNECTION") is { Length: > 0 } s ? s : null;

    public LocalPostgres Postgres => _postgres.Value;

    /// <summary>The engines every integration test runs on, SQLite and PostgreSQL; SQL Server comes from
    /// <see cref="SqlServerDataAttribute"/>, reported as skipped (with the reason) when no server is configured.</summary>
    public static TheoryData<string> All => new() { "sqlite", "postgres" };

    /// <summary>A migrated, empty database of the given engine.</summary>
    public Database NewDatabase(string engine)
    {
        var n = Interlocked.Increment(ref _next);
        var name = $"qa_test_{Environment.ProcessId}_{n}";
        Database db;
        switch (engine)
        {
            case "sqlite":
                var file = Path.Combine(Path.GetTempPath(), name + ".db");
                lock (_sqliteFiles) _sqliteFiles.Add(file);
                db = new Database(DatabaseEngine.Sqlite, file);
                break;
            case "postgres":
                db = new Database(DatabaseEngine.Postgres, Postgres.CreateDatabase(name));
                break;
            case "sqlserver":
                db = new Database(DatabaseEngine.SqlServer, SqlServerDatabase(name));
                break;
            default:
                throw new ArgumentException(engine);
        }
        db.Migrate();
        return db;
    }

    public string NewPostgresDatabase() => Postgres.CreateDatabase($"qa_test_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");

    private static string SqlServerDatabase(string name)
    {
        var cs = SqlServerConnection!;
        using (var c = new Microsoft.Data.SqlClient.SqlConnection(cs))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE [{name}]";
            cmd.ExecuteNonQuery();
        }
        return new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(cs) { InitialCatalog = name }.ConnectionString;
    }

    public void Dispose()
    {
        if (_postgres.IsValueCreated) _postgres.Value.Dispose();
        SqliteConnection.ClearAllPools();
        lock (_sqliteFiles)
            foreach (var f in _sqliteFiles)
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                    try { File.Delete(f + suffix); } catch (IOException) { }
    }
}

/// <summary>
/// The SQL Server row of an engine theory: it runs against QA_SQLSERVER_CONNECTION when that is set, and is
/// otherwise reported as skipped with the reason (counted in the closing line), never silently left out.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqlServerDataAttribute : Xunit.Sdk.DataAttribute
{
    public SqlServerDataAttribute()
    {
        if (EngineFixture.SqlServerConnection is null)
            Skip = "no SQL Server configured: set QA_SQLSERVER_CONNECTION to a server (a database per test is created there)";
    }

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [["sqlserver"]];
}
