using System.Data.Common;

namespace QaPipeline.Storage;

/// <summary>
/// The few places where the three engines spell the same statement differently, in one place so repositories
/// keep one SQL text per purpose: an insert that hands back its id (RETURNING / OUTPUT INSERTED), a row limit
/// (LIMIT / TOP), "column is one of a list" (IN / = ANY), the literal true, and telling a unique-key violation apart.
/// </summary>
public sealed class SqlDialect(DatabaseEngine engine)
{
    /// <summary><c>INSERT INTO t (cols) VALUES (...)</c> that returns the new row's id.</summary>
    /// <param name="into">"table (column, ...)"</param>
    /// <param name="values">"(@value, ...)"</param>
    public string InsertReturningId(string into, string values) => engine == DatabaseEngine.SqlServer
        ? $"INSERT INTO {into} OUTPUT INSERTED.id VALUES {values}"
        : $"INSERT INTO {into} VALUES {values} RETURNING id";

    /// <summary>The literal true of a flag column (<c>is_current</c>), for where a parameter would cost the plan: SQLite
    /// plans a statement without the parameter's value, and the queue's all-calls list then sorted every current
    /// scorecard instead of walking <c>ix_calls_started</c> (1.2 s against 1 ms at 100,000 calls).</summary>
    public string True => engine == DatabaseEngine.Postgres ? "TRUE" : "1";

    /// <summary>The two halves of a row limit: <c>SELECT {Top} ... {Limit}</c> (one of them is empty).</summary>
    public (string Top, string Limit) RowLimit(string count) => engine == DatabaseEngine.SqlServer
        ? ($"TOP ({count})", "")
        : ("", $"LIMIT {count}");

    /// <summary>"column is one of a list": Dapper expands <c>IN @list</c> for SQLite and SQL Server, while Npgsql
    /// takes the list as one array parameter (<c>= ANY(@list)</c>).</summary>
    public string InList(string column, string parameter) =>
        engine == DatabaseEngine.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>A row the scope lets through, as a predicate over the calls table aliased <c>c</c>, with its parameters.</summary>
    public (string Sql, object Args) CallsIn(CallScope scope)
    {
        if (scope.Everything) return ("1 = 1", new { viewerTeams = Array.Empty<string>(), viewerAgentId = "" });
        var parts = new List<string>();
        if (scope.Teams.Count > 0) parts.Add(InList("c.team", "viewerTeams"));
        if (scope.AgentId is not null) parts.Add("c.agent_id = @viewerAgentId");
        return (parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")",
            new { viewerTeams = scope.Teams.ToArray(), viewerAgentId = scope.AgentId ?? "" });
    }

    /// <summary>A unique index or key refused the row (a second claim, a duplicate login).</summary>
    public static bool IsUniqueViolation(DbException e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19,
        Npgsql.PostgresException p => p.SqlState == "23505",
        Microsoft.Data.SqlClient.SqlException q => q.Number is 2601 or 2627,
        _ => false,
    };
}

/// <summary>
/// Which calls a query may return, decided by the caller's row-level rule (the web app's viewer): every call,
/// or those of some teams and/or of one agent. Nothing when empty.
/// </summary>
public sealed record CallScope(bool Everything, IReadOnlyList<string> Teams, string? AgentId)
{
    public static readonly CallScope All = new(true, [], null);
    public static readonly CallScope None = new(false, [], null);
}
