using QaPipeline.Web.Dashboards;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class DashboardModel(QaDashboard dashboard) : QaPageModel
{
    public string? Team { get; private set; }
    public DashboardData? Data { get; private set; }
    public IReadOnlyList<string> Teams { get; private set; } = [];

    public async Task OnGetAsync(string? team)
    {
        Team = team;
        Data = await dashboard.Load(Viewer, team, ct: HttpContext.RequestAborted);
        Teams = Data.Weekly.Where(w => Data.GroupBy == "team").Select(w => w.Group).Distinct().Order().ToList();
        if (Teams.Count == 0 && Viewer.IsMonitor) Teams = Viewer.Teams;
        if (Team is { Length: > 0 } && !Teams.Contains(Team)) Teams = [.. Teams, Team];
    }
}
