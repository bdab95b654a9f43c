using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

public sealed record UserLine(UserRecord User, IReadOnlyList<string> Roles, IReadOnlyList<string> MonitorTeams);

public sealed class AdminModel(UserRepository users, SignIn signIn, WebSettings settings, RubricCatalog rubrics, CallRepository calls,
    AuditLog audit, IOptionsMonitor<ReviewFlagOptions> review, RubricLibrary library, TimeProvider clock) : QaPageModel
{
    /// <summary>The routing table as the pipeline reads it now (null with <see cref="RoutingError"/> when it does not load).</summary>
    public QaPipeline.Scoring.Rubrics.RubricRouting? Routing { get; private set; }
    public string? RoutingError { get; private set; }
    public string RoutingFile => library.HasRoutingFile ? library.RoutingPath : "";

    public IReadOnlyList<UserLine> Users { get; private set; } = [];
    public IReadOnlyList<TeamRecord> Teams { get; private set; } = [];
    public IReadOnlyList<RubricFile> Rubrics { get; private set; } = [];
    public IReadOnlyList<CallRecord> Failed { get; private set; } = [];
    public IReadOnlyList<AuditRow> Audit { get; private set; } = [];
    public string SampleRate => review.CurrentValue.SampleRate.ToString(CultureInfo.InvariantCulture);
    public string ScoreThreshold => review.CurrentValue.ScoreThreshold.ToString(CultureInfo.InvariantCulture);
    public int DisputeDays { get; private set; }
    public int RetentionDays { get; private set; }
    public string TimeZoneId { get; private set; } = "UTC";

    private CancellationToken Ct => HttpContext.RequestAborted;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task OnGetAsync()
    {
        var lines = new List<UserLine>();
        foreach (var u in await users.List(Ct)) lines.Add(new UserLine(u, await users.Roles(u.Id, Ct), await users.MonitorTeams(u.Id, Ct)));
        Users = lines;
        Teams = await users.Teams(Ct);
        Rubrics = rubrics.Files();
        try { Routing = library.Routing(); }
        catch (FormatException e) { RoutingError = e.Message; }
        Failed = await calls.List(CallStatus.Failed, 100, Ct);
        DisputeDays = await settings.DisputeWindowDays(Ct);
        RetentionDays = await settings.Retention(Ct);
        TimeZoneId = (await settings.CentreTimeZone(Ct)).Id;
        Audit = await audit.Recent(100, Ct);
    }

    public Task<IActionResult> OnPostCreateAsync(string login, string displayName, string password, string role, string? agentId, long? teamId) =>
        Act(async () =>
        {
            if (Array.IndexOf(Role.All, role) < 0) throw new ReviewRuleException("error.unknown_role", 400);
            if (string.IsNullOrWhiteSpace(login) || string.IsNullOrEmpty(password) || password.Length < 8 || password.Length > 1024) throw new ReviewRuleException("error.login_password_8_characters", 400);
            login = InputLimits.NameOf(login, "error.login_password_8_characters", "field.login");
            displayName = InputLimits.NameOf(displayName, "error.person_name_empty", "field.name");
            agentId = InputLimits.OptionalName(agentId, "field.agent_id");
            if (teamId is { } t && (await users.Teams(Ct)).All(x => x.Id != t)) throw new ReviewRuleException("error.no_team", 400, t);
            if (await users.FindByLogin(login, Ct) is not null) throw new ReviewRuleException("error.login_exists", 400, login);
            await users.Create(login, displayName, signIn.Hash(password), agentId, teamId, [role], Now, Ct);
            await audit.Write(Viewer.Login, "user created", "user", login.Trim(), role, Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostUpdateAsync(long id, string displayName, string[] roles, string? agentId, long? teamId, long[] monitorTeams, bool active, string? password) =>
        Act(async () =>
        {
            var user = await users.Get(id, Ct) ?? throw new ReviewRuleException("error.no_user", 404, id);
            displayName = InputLimits.NameOf(displayName, "error.person_name_empty", "field.name");
            agentId = InputLimits.OptionalName(agentId, "field.agent_id");
            var teams = (await users.Teams(Ct)).Select(x => x.Id).ToHashSet();
            if ((teamId is { } t && !teams.Contains(t)) || monitorTeams.Any(m => !teams.Contains(m))) throw new ReviewRuleException("error.no_such_team", 400);
            if (roles.Any(r => Array.IndexOf(Role.All, r) < 0)) throw new ReviewRuleException("error.unknown_role", 400);
            if (id == Viewer.Id && (!roles.Contains(Role.Admin) || !active)) throw new ReviewRuleException("error.you_cannot_remove_your", 400);
            await users.Update(id, displayName, agentId, teamId, active,
                roles.Where(r => Array.IndexOf(Role.All, r) >= 0), monitorTeams, Ct);
            if (!string.IsNullOrEmpty(password))
            {
                if (password.Length is < 8 or > 1024) throw new ReviewRuleException("error.password_needs_8_characters", 400);
                await users.SetPassword(id, signIn.Hash(password), Ct);
            }
            await audit.Write(Viewer.Login, "user updated", "user", user.Login, $"roles {string.Join(",", roles)}; active {active}", Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostTeamAsync(string name) =>
        Act(async () =>
        {
            name = InputLimits.NameOf(name, "error.team_name_empty", "field.team_name");
            if ((await users.Teams(Ct)).Any(t => t.Name == name)) throw new ReviewRuleException("error.team_exists", 400, name);
            await users.CreateTeam(name, Ct);
            await audit.Write(Viewer.Login, "team created", "team", name, null, Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostSettingsAsync(string sampleRate, string scoreThreshold, string disputeDays, string retentionDays, string? timeZone) =>
        Act(async () =>
        {
            if (!double.TryParse(sampleRate, CultureInfo.InvariantCulture, out var rate) || !double.IsFinite(rate) || rate is < 0 or > 1) throw new ReviewRuleException("error.sample_rate_share_between", 400) { Limit = true };
            if (!double.TryParse(scoreThreshold, CultureInfo.InvariantCulture, out var threshold) || !double.IsFinite(threshold) || threshold is < 0 or > 100) throw new ReviewRuleException("error.threshold_percent_0_100", 400) { Limit = true };
            if (!int.TryParse(disputeDays, out var days) || days is < 0 or > 365) throw new ReviewRuleException("error.dispute_window_0_365", 400) { Limit = true };
            if (!int.TryParse(retentionDays, out var keep) || keep is < 1 or > 36500) throw new ReviewRuleException("error.retention_positive_number_days", 400) { Limit = true };
            var zone = string.IsNullOrWhiteSpace(timeZone) ? TimeZoneInfo.Utc : WebSettings.Zone(timeZone)
                ?? throw new ReviewRuleException("error.unknown_time_zone_use", 400);
            await settings.Set(WebSettings.SampleRate, rate.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.ScoreThreshold, threshold.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.DisputeWindow, days.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.RetentionDays, keep.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.TimeZone, zone.Id, Viewer.Login, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostRubricAsync(string path) =>
        Act(() => HttpContext.RequestServices.GetRequiredService<RubricEditor>().MakeActive(Viewer, path, Ct), () => RedirectToPage());

    public Task<IActionResult> OnPostRetryAsync(long callId) =>
        Act(async () =>
        {
            if (!await calls.Retry(callId, personWaiting: true, Ct)) throw new ReviewRuleException("error.call_not_parked_failed", 409, callId);
            await audit.Write(Viewer.Login, "retry", "call", callId.ToString(), null, Now, Ct);
            HttpContext.RequestServices.GetRequiredService<IQueueWake>().Wake();
        }, () => RedirectToPage());
}
