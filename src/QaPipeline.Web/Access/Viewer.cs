using System.Security.Claims;
using QaPipeline.Storage;

namespace QaPipeline.Web.Access;

/// <summary>The roles: 管理员, 质检员, 培训师, 客服代表, and 质检主管 (the QA lead: rubrics, routing, exports and dashboards
/// for the whole centre, without user administration or reviewing).</summary>
public static class Role
{
    public const string Admin = "admin";
    public const string Monitor = "monitor";
    public const string Trainer = "trainer";
    public const string Agent = "agent";
    public const string QaLead = "qa_lead";

    public static readonly string[] All = [Admin, Monitor, Trainer, Agent, QaLead];
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
    public bool IsQaLead => Roles.Contains(Role.QaLead);

    /// <summary>Who changes what scores calls (rubrics, the routing table): admins and QA leads.</summary>
    public bool ManagesRules => IsAdmin || IsQaLead;
    public bool Is(params string[] roles) => roles.Any(Roles.Contains);

    /// <summary>Phone, ID-card and bank-card numbers are shown only to roles whose work needs them: admins and
    /// the monitors checking that the agent verified the caller (保密: mask for everyone else).</summary>
    public bool SeesPersonalData => IsAdmin || IsMonitor;

    /// <summary>The row-level rule for calls, in one place: admins, trainers (coaching across the centre) and QA leads
    /// (a rubric change's sample calls, the centre's exports) read every call, monitors the calls of their teams,
    /// agents their own calls only.</summary>
    public bool CanRead(string? callTeam, string? callAgentId) =>
        IsAdmin || IsTrainer || IsQaLead
        || (IsMonitor && callTeam is not null && Teams.Contains(callTeam))
        || (IsAgent && AgentId is not null && callAgentId == AgentId);

    /// <summary>Who may review (claim, override, finalise, decide disputes) a call: admins and the team's monitors.</summary>
    public bool CanReview(string? callTeam) => IsAdmin || (IsMonitor && callTeam is not null && Teams.Contains(callTeam));

    /// <summary>The same rule as <see cref="CanRead"/> as the calls a query may return.</summary>
    public CallScope ReadScope =>
        IsAdmin || IsTrainer || IsQaLead ? CallScope.All
        : new CallScope(false, IsMonitor ? Teams : [], IsAgent ? AgentId : null);

    /// <summary>The same rule as <see cref="CanReview"/> as the calls a query may return: admins all, monitors their teams'.</summary>
    public CallScope ReviewScope =>
        IsAdmin ? CallScope.All
        : IsMonitor ? new CallScope(false, Teams, null)
        : CallScope.None;

    /// <summary>The viewer of a user account (null for an unknown or deactivated one).</summary>
    public static Viewer? Of(UserAccess? access) => access is null ? null
        : new Viewer(access.User.Id, access.User.Login, access.User.DisplayName, access.Roles, access.User.AgentId, access.MonitorTeams);

    public static long? IdOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}
