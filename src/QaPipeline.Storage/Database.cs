using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;

namespace QaPipeline.Storage;

/// <summary>The three engines behind the one repository layer.</summary>
public enum DatabaseEngine { Sqlite, Postgres, SqlServer }

/// <summary>
/// Opens connections to the product database and runs every statement inside the database resilience
/// pipeline, so a transient outage (PostgreSQL restarting, SQLite busy) is retried rather than failing a job.
/// Repositories write their SQL in place and call <see cref="Run{T}"/>; nothing outside this project writes SQL.
/// </summary>
public sealed class Database
{
    static Database()
    {
        // Columns are snake_case; C# properties are PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
        SqlMapper.AddTypeHandler(new NullableUtcDateTimeHandler());
    }

    private readonly ResiliencePipeline _resilience;

    public Database(DatabaseEngine engine, string connectionString, ResiliencePipeline? resilience = null)
    {
        Engine = engine;
        ConnectionString = engine == DatabaseEngine.Sqlite ? SqliteConnectionString(connectionString) : connectionString;
        _resilience = resilience ?? DatabaseFaults.Retry();
    }

    public DatabaseEngine Engine { get; }
    public string ConnectionString { get; }

    public static DatabaseEngine ParseEngine(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => DatabaseEngine.Sqlite,
        "postgres" or "postgresql" or "pg" => DatabaseEngine.Postgres,
        "sqlserver" or "mssql" => DatabaseEngine.SqlServer,
        var other => throw new ArgumentException($"QA_DB must be sqlite, postgres or sqlserver (got '{other}')"),
    };

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Engine switch
        {
            DatabaseEngine.Sqlite => new SqliteConnection(ConnectionString),
            DatabaseEngine.Postgres => new NpgsqlConnection(ConnectionString),
            DatabaseEngine.SqlServer => new SqlConnection(ConnectionString),
            _ => throw new InvalidOperationException(),
        };
        try
        {
            await connection.OpenAsync(ct);
            if (Engine == DatabaseEngine.Sqlite)
                // Writers from several processes (qa ingest beside qa serve) wait for each other instead of failing.
                await connection.ExecuteAsync("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one unit of database work on a fresh connection, retried on transient faults.</summary>
    public async Task<T> Run<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default) =>
        await _resilience.ExecuteAsync(async token =>
        {
            await using var connection = await OpenAsync(token);
            return await work(connection);
        }, ct);

    public Task Run(Func<DbConnection, Task> work, CancellationToken ct = default) =>
        Run(async c => { await work(c); return 0; }, ct);

    /// <summary>Runs work in one transaction (both statements happen or neither).</summary>
    public Task<T> InTransaction<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        Run(async c =>
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            var result = await work(c, tx);
            await tx.CommitAsync(ct);
            return result;
        }, ct);

    /// <summary>How this engine spells what the others spell differently (RETURNING/OUTPUT, LIMIT/TOP, lists).</summary>
    public SqlDialect Dialect => new(Engine);

    /// <summary>Brings the schema up to date (see <see cref="SchemaMigrations"/>); the host calls this as it starts.</summary>
    public void Migrate() => SchemaMigrations.Apply(this);

    private static string SqliteConnectionString(string value)
    {
        // A bare path is accepted for convenience: QA_DB_CONNECTION=data/qa.db.
        var builder = value.Contains('=') ? new SqliteConnectionStringBuilder(value) : new SqliteConnectionStringBuilder { DataSource = value };
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        return builder.ToString();
    }

    /// <summary>All timestamps are UTC. SQLite hands them back as text, PostgreSQL as timestamptz.</summary>
    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, DateTime value) =>
            parameter.Value = value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc);

        public override DateTime Parse(object value) => value switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            DateTimeOffset o => o.UtcDateTime,
            string s => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            _ => throw new InvalidCastException($"cannot read {value.GetType().Name} as a timestamp"),
        };
    }

    private sealed class NullableUtcDateTimeHandler : SqlMapper.TypeHandler<DateTime?>
    {
        private static readonly UtcDateTimeHandler Inner = new();

        public override void SetValue(System.Data.IDbDataParameter parameter, DateTime? value)
        {
            if (value is null) parameter.Value = DBNull.Value;
            else Inner.SetValue(parameter, value.Value);
        }

        public override DateTime? Parse(object value) => value is null or DBNull ? null : Inner.Parse(value);
    }
}
