using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed record UserLine(UserRecord User, IReadOnlyList<string> Roles, IReadOnlyList<string> MonitorTeams);

public sealed class AdminModel(UserRepository users, SignIn signIn, WebSettings settings, RubricCatalog rubrics, CallRepository calls,
    AuditLog audit, PipelineOptions options, QaPipeline.Pipeline.Routing.RubricLibrary library, TimeProvider clock) : QaPageModel
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
    public string SampleRate => options.Review.SampleRate.ToString(CultureInfo.InvariantCulture);
    public string ScoreThreshold => options.Review.ScoreThreshold.ToString(CultureInfo.InvariantCulture);
    public int DisputeDays { get; private set; }
    public int RetentionDays { get; private set; }

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
        Audit = await audit.Recent(100, Ct);
    }

    public Task<IActionResult> OnPostCreateAsync(string login, string displayName, string password, string role, string? agentId, long? teamId) =>
        Act(async () =>
        {
            if (Array.IndexOf(Role.All, role) < 0) throw new ReviewRuleException("unknown role", 400);
            if (string.IsNullOrWhiteSpace(login) || string.IsNullOrEmpty(password) || password.Length < 8) throw new ReviewRuleException("login and a password of 8+ characters are needed", 400);
            if (await users.FindByLogin(login.Trim(), Ct) is not null) throw new ReviewRuleException($"login {login} exists", 400);
            await users.Create(login.Trim(), displayName.Trim(), signIn.Hash(password), string.IsNullOrWhiteSpace(agentId) ? null : agentId.Trim(), teamId, [role], Now, Ct);
            await audit.Write(Viewer.Login, "user created", "user", login.Trim(), role, Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostUpdateAsync(long id, string displayName, string[] roles, string? agentId, long? teamId, long[] monitorTeams, bool active, string? password) =>
        Act(async () =>
        {
            var user = await users.Get(id, Ct) ?? throw new ReviewRuleException($"no user {id}", 404);
            if (id == Viewer.Id && (!roles.Contains(Role.Admin) || !active)) throw new ReviewRuleException("you cannot remove your own admin role or deactivate yourself", 400);
            await users.Update(id, displayName.Trim(), string.IsNullOrWhiteSpace(agentId) ? null : agentId.Trim(), teamId, active,
                roles.Where(r => Array.IndexOf(Role.All, r) >= 0), monitorTeams, Ct);
            if (!string.IsNullOrEmpty(password))
            {
                if (password.Length < 8) throw new ReviewRuleException("a password needs 8+ characters", 400);
                await users.SetPassword(id, signIn.Hash(password), Ct);
            }
            await audit.Write(Viewer.Login, "user updated", "user", user.Login, $"roles {string.Join(",", roles)}; active {active}", Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostTeamAsync(string name) =>
        Act(async () =>
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ReviewRuleException("name the team", 400);
            await users.CreateTeam(name.Trim(), Ct);
            await audit.Write(Viewer.Login, "team created", "team", name.Trim(), null, Now, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostSettingsAsync(string sampleRate, string scoreThreshold, string disputeDays, string retentionDays) =>
        Act(async () =>
        {
            if (!double.TryParse(sampleRate, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1) throw new ReviewRuleException("the sample rate is a share between 0 and 1", 400);
            if (!double.TryParse(scoreThreshold, CultureInfo.InvariantCulture, out var threshold) || threshold is < 0 or > 100) throw new ReviewRuleException("the threshold is a percent 0–100", 400);
            if (!int.TryParse(disputeDays, out var days) || days is < 0 or > 365) throw new ReviewRuleException("the dispute window is 0–365 days", 400);
            if (!int.TryParse(retentionDays, out var keep) || keep < 1) throw new ReviewRuleException("retention is a positive number of days", 400);
            await settings.Set(WebSettings.SampleRate, rate.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.ScoreThreshold, threshold.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.DisputeWindow, days.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
            await settings.Set(WebSettings.RetentionDays, keep.ToString(CultureInfo.InvariantCulture), Viewer.Login, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostRubricAsync(string path) =>
        Act(async () =>
        {
            var file = rubrics.Files().FirstOrDefault(f => f.Path == path && f.Error is null) ?? throw new ReviewRuleException("not a valid rubric in the rubric folder", 400);
            await settings.Set(WebSettings.ActiveRubric, file.Path, Viewer.Login, Ct);
        }, () => RedirectToPage());

    public Task<IActionResult> OnPostRetryAsync(long callId) =>
        Act(async () =>
        {
            if (!await calls.Retry(callId, personWaiting: true, Ct)) throw new ReviewRuleException($"call {callId} is not parked as failed");
            await audit.Write(Viewer.Login, "retry", "call", callId.ToString(), null, Now, Ct);
            HttpContext.RequestServices.GetRequiredService<QueueSweeper>().Wake();
        }, () => RedirectToPage());
}
