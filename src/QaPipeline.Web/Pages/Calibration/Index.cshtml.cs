using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calibration;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class CalibrationListModel(CalibrationSessions sessions, UserRepository users) : QaPageModel
{
    public IReadOnlyList<SessionRow> Sessions { get; private set; } = [];
    public IReadOnlyList<UserRecord> Candidates { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Sessions = await sessions.List(Viewer, ct);
        var monitors = await users.WithRole(Role.Monitor, ct);
        var trainers = await users.WithRole(Role.Trainer, ct);
        Candidates = monitors.Concat(trainers).DistinctBy(u => u.Id).OrderBy(u => u.Login).ToList();
    }

    public async Task<IActionResult> OnPostCreateAsync(string name, string calls, long[] participants)
    {
        long id = 0;
        var result = await Act(async () =>
        {
            var ids = (calls ?? "").Split([',', ' ', '，'], StringSplitOptions.RemoveEmptyEntries)
                .Select(s => long.TryParse(s.TrimStart('#'), out var v) ? v : throw new ReviewRuleException("error.not_call_id", 400, s)).ToList();
            id = await sessions.Create(Viewer, name, ids, participants ?? [], HttpContext.RequestAborted);
        }, () => RedirectToPage());
        return id > 0 ? Redirect($"/calibration/{id}") : result;
    }
}
