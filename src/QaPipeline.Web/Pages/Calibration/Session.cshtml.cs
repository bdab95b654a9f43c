using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Calibration;

namespace QaPipeline.Web.Pages;

public sealed class CalibrationSessionModel(CalibrationSessions sessions) : QaPageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    public SessionView? View { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        View = await sessions.Load(Viewer, Id, HttpContext.RequestAborted);
        return View is null ? NotFound() : Page();
    }

    private CancellationToken Ct => HttpContext.RequestAborted;
    private IActionResult Back() => Redirect($"/calibration/{Id}");

    public Task<IActionResult> OnPostScoreAsync(long callId)
    {
        var verdicts = Request.Form.Where(f => f.Key.StartsWith("v_", StringComparison.Ordinal))
            .ToDictionary(f => f.Key[2..], f => f.Value.ToString());
        return Act(() => sessions.Score(Viewer, Id, callId, verdicts, Ct), Back);
    }

    public Task<IActionResult> OnPostSubmitAsync() => Act(() => sessions.Submit(Viewer, Id, Ct), Back);
    public Task<IActionResult> OnPostRevealAsync() => Act(() => sessions.Reveal(Viewer, Id, Ct), Back);
    public Task<IActionResult> OnPostAgreeAsync(long callId, string item, string verdict) => Act(() => sessions.RecordAgreed(Viewer, Id, callId, item, verdict, Ct), Back);
    public Task<IActionResult> OnPostDecisionsAsync(string decisions, bool close) => Act(() => sessions.RecordDecisions(Viewer, Id, decisions ?? "", close, Ct), Back);
}
