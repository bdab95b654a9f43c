using Dapper;
namespace QaPipeline.Storage;

public sealed class UserRecord
{
    public long Id { get; init; }
    public string Login { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string? PasswordHash { get; init; }
    public string? AgentId { get; init; }
    public long? TeamId { get; init; }
    public string? TeamName { get; init; }
    public bool Active { get; init; }
}

public sealed record TeamRecord(long Id, string Name);

/// <summary>A user with what decides their access: roles and the teams they monitor.</summary>
public sealed record UserAccess(UserRecord User, IReadOnlySet<string> Roles, IReadOnlyList<string> MonitorTeams);

/// <summary>Users, their roles and teams. A monitor's teams are <c>monitor_teams</c>; anyone's own team is
/// <c>users.team_id</c> (for an agent, the team their calls belong to).</summary>
public sealed class UserRepository(Database db)
{
    private const string Columns = "u.id, u.login, u.display_name, u.password_hash, u.agent_id, u.team_id, t.name AS team_name, u.active";

    public Task<UserRecord?> FindByLogin(string login, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<UserRecord>(
            $"SELECT {Columns} FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.login = @login", new { login }), ct);

    public Task<UserRecord?> Get(long id, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<UserRecord>(
            $"SELECT {Columns} FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = @id", new { id }), ct);

    public async Task<IReadOnlyList<UserRecord>> List(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<UserRecord>(
            $"SELECT {Columns} FROM users u LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.login"), ct)).AsList();

    /// <summary>An active user with their roles and the teams they monitor, in one round trip (null when unknown or
    /// deactivated): read on every request, so a role taken away applies at once.</summary>
    public Task<UserAccess?> Access(long id, CancellationToken ct = default) =>
        db.Run<UserAccess?>(async c =>
        {
            using var grid = await c.QueryMultipleAsync($"""
                SELECT {Columns} FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = @id;
                SELECT role FROM user_roles WHERE user_id = @id;
                SELECT t.name FROM monitor_teams m JOIN teams t ON t.id = m.team_id WHERE m.user_id = @id;
                """, new { id });
            var user = await grid.ReadSingleOrDefaultAsync<UserRecord>();
            var roles = (await grid.ReadAsync<string>()).ToHashSet(StringComparer.Ordinal);
            var teams = (await grid.ReadAsync<string>()).ToList();
            if (user is null || !user.Active) return null;
            return new UserAccess(user, roles, teams);
        }, ct);

    public async Task<IReadOnlyList<string>> Roles(long userId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<string>("SELECT role FROM user_roles WHERE user_id = @userId ORDER BY role", new { userId }), ct)).AsList();

    public async Task<IReadOnlyList<string>> MonitorTeams(long userId, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<string>(
            "SELECT t.name FROM monitor_teams m JOIN teams t ON t.id = m.team_id WHERE m.user_id = @userId ORDER BY t.name", new { userId }), ct)).AsList();

    public async Task<long> Create(string login, string displayName, string passwordHash, string? agentId, long? teamId,
        IEnumerable<string> roles, DateTime now, CancellationToken ct = default)
    {
        var insert = db.Dialect.InsertReturningId("users (login, display_name, password_hash, agent_id, team_id, created_at)",
            "(@login, @displayName, @passwordHash, @agentId, @teamId, @now)");
        return await db.InTransaction(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>(insert, new { login, displayName, passwordHash, agentId, teamId, now }, tx);
            foreach (var role in roles.Distinct())
                await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@id, @role)", new { id, role }, tx);
            return id;
        }, ct);
    }

    public Task Update(long id, string displayName, string? agentId, long? teamId, bool active, IEnumerable<string> roles,
        IEnumerable<long> monitorTeamIds, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("UPDATE users SET display_name = @displayName, agent_id = @agentId, team_id = @teamId, active = @active WHERE id = @id",
                new { id, displayName, agentId, teamId, active }, tx);
            await c.ExecuteAsync("DELETE FROM user_roles WHERE user_id = @id", new { id }, tx);
            foreach (var role in roles.Distinct())
                await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@id, @role)", new { id, role }, tx);
            await c.ExecuteAsync("DELETE FROM monitor_teams WHERE user_id = @id", new { id }, tx);
            foreach (var teamId2 in monitorTeamIds.Distinct())
                await c.ExecuteAsync("INSERT INTO monitor_teams (user_id, team_id) VALUES (@id, @teamId2)", new { id, teamId2 }, tx);
            return 0;
        }, ct);

    public Task SetPassword(long id, string passwordHash, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE users SET password_hash = @passwordHash WHERE id = @id", new { id, passwordHash }), ct);

    public async Task<IReadOnlyList<TeamRecord>> Teams(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<TeamRecord>("SELECT id, name FROM teams ORDER BY name"), ct)).AsList();

    public Task<long> CreateTeam(string name, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<long>(db.Dialect.InsertReturningId("teams (name)", "(@name)"), new { name }), ct);

    public Task SetMonitorTeams(long userId, IEnumerable<long> teamIds, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM monitor_teams WHERE user_id = @userId", new { userId }, tx);
            foreach (var teamId in teamIds.Distinct())
                await c.ExecuteAsync("INSERT INTO monitor_teams (user_id, team_id) VALUES (@userId, @teamId)", new { userId, teamId }, tx);
            return 0;
        }, ct);

    /// <summary>Users with a role, for pickers (calibration participants, dispute owners).</summary>
    public async Task<IReadOnlyList<UserRecord>> WithRole(string role, CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<UserRecord>(
            $"SELECT {Columns} FROM users u LEFT JOIN teams t ON t.id = u.team_id JOIN user_roles r ON r.user_id = u.id WHERE r.role = @role AND u.active = @yes ORDER BY u.login",
            new { role, yes = true }), ct)).AsList();
}
