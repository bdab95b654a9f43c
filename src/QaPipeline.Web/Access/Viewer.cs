using System.Security.Claims;

namespace QaPipeline.Web.Access;

/// <summary>The four roles of the issue: 管理员, 质检员, 培训师, 客服代表.</summary>
public static class Role
{
    public const string Admin = "admin";
    public const string Monitor = "monitor";
    public const string Trainer = "trainer";
    public const string Agent = "agent";

    public static readonly string[] All = [Admin, Monitor, Trainer, Agent];
}

/// <summary>
/// Who is asking, read from the database on every request (not from the cookie's claims) so that a role or
/// team taken away by an admin applies at once. Every row-level decision of the web app starts here.
/// </summary>
public sealed record Viewer(long Id, string Login, string DisplayName, IReadOnlySet<string> Roles, string? AgentId,
    IReadOnlyList<string> Teams)
{
    public bool IsAdmin => Roles.Contains(Role.Admin);
    public bool IsMonitor => Roles.Contains(Role.Monitor);
    public bool IsTrainer => Roles.Contains(Role.Trainer);
    public bool IsAgent => Roles.Contains(Role.Agent);
    public bool Is(params string[] roles) => roles.Any(Roles.Contains);

    /// <summary>Phone, ID-card and bank-card numbers are shown only to roles whose work needs them: admins and
    /// the monitors checking that the agent verified the caller (保密: mask for everyone else).</summary>
    public bool SeesPersonalData => IsAdmin || IsMonitor;

    /// <summary>The row-level rule for calls, in one place: admins and trainers (coaching across the centre) read
    /// every call, monitors the calls of their teams, agents their own calls only.</summary>
    public bool CanRead(string? callTeam, string? callAgentId) =>
        IsAdmin || IsTrainer
        || (IsMonitor && callTeam is not null && Teams.Contains(callTeam))
        || (IsAgent && AgentId is not null && callAgentId == AgentId);

    /// <summary>Who may review (claim, override, finalise, decide disputes) a call: admins and the team's monitors.</summary>
    public bool CanReview(string? callTeam) => IsAdmin || (IsMonitor && callTeam is not null && Teams.Contains(callTeam));

    /// <summary>The same rule as <see cref="CanRead"/> as a SQL predicate over the calls table aliased <c>c</c>,
    /// with its parameters (Dapper expands the team list).</summary>
    public (string Sql, object Args) CallPredicate(QaPipeline.Pipeline.Storage.DatabaseEngine engine)
    {
        if (IsAdmin || IsTrainer) return ("1 = 1", new { });
        var parts = new List<string>();
        if (IsMonitor && Teams.Count > 0) parts.Add(InList(engine, "c.team", "viewerTeams"));
        if (IsAgent && AgentId is not null) parts.Add("c.agent_id = @viewerAgentId");
        return (parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")",
            new { viewerTeams = Teams.ToArray(), viewerAgentId = AgentId ?? "" });
    }

    /// <summary>The same rule as a <see cref="QaPipeline.Pipeline.Storage.CallScope"/> for exports. A monitor who is also an
    /// agent gets their teams only (never more than <see cref="CanRead"/> allows).</summary>
    public QaPipeline.Pipeline.Storage.CallScope Scope() =>
        IsAdmin || IsTrainer ? QaPipeline.Pipeline.Storage.CallScope.Everything
        : IsMonitor && Teams.Count > 0 ? new(Teams: Teams)
        : IsAgent && AgentId is not null ? new(AgentId: AgentId)
        : new(Teams: []);

    /// <summary>"column is one of a list": Dapper expands <c>IN @list</c> for SQLite and SQL Server, while Npgsql
    /// takes the list as one array parameter (<c>= ANY(@list)</c>).</summary>
    public static string InList(QaPipeline.Pipeline.Storage.DatabaseEngine engine, string column, string parameter) =>
        engine == QaPipeline.Pipeline.Storage.DatabaseEngine.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    public static long? IdOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}
