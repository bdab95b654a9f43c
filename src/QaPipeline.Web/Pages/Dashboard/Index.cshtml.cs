using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Dashboards;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class DashboardModel(QaDashboard dashboard, UserRepository users) : QaPageModel
{
    public string? Team { get; private set; }
    public DashboardData? Data { get; private set; }
    public IReadOnlyList<string> Teams { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? team, DateTime? from, DateTime? to)
    {
        var ct = HttpContext.RequestAborted;
        try
        {
            Team = InputLimits.OptionalName(team, "field.team");
            var (f, t) = QaDashboard.CheckedRange(from, to);
            Data = await dashboard.Load(Viewer, Team, f, t, ct);
        }
        catch (ReviewRuleException e) { return Refuse(e); }
        // The teams the viewer may look at, whatever is chosen now (the list once shrank to the chosen team, whose
        // dashboard groups by agent): every team for admins and trainers, a monitor's own teams.
        Teams = Viewer.IsAdmin || Viewer.IsTrainer ? (await users.Teams(ct)).Select(x => x.Name).Order(StringComparer.Ordinal).ToList() : Viewer.Teams;
        if (Team is { Length: > 0 } && !Teams.Contains(Team)) Teams = [.. Teams, Team];
        return Page();
    }
}
