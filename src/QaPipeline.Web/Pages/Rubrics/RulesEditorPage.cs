using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

/// <summary>What the rubric and the routing editors share: the YAML being edited, the loader's verdict on it, its diff
/// against what is in force, the published history of its kind and the centre's time zone for showing times.</summary>
public abstract class RulesEditorPage(RubricVersionRepository versions, WebSettings settings) : QaPageModel
{
    [BindProperty] public string Yaml { get; set; } = "";
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public bool Confirm { get; set; }

    public RubricCheck? Checked { get; private set; }
    public IReadOnlyList<DiffLine> Diff { get; private set; } = [];
    public IReadOnlyList<RubricVersionRecord> History { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public RulesText Editor => new(Yaml, Checked, Diff, DiffTitle);

    protected Ui Ui => HttpContext.RequestServices.GetRequiredService<Ui>();
    protected CancellationToken Ct => HttpContext.RequestAborted;

    /// <summary><see cref="RubricVersionRepository.Rubric"/> or <see cref="RubricVersionRepository.Routing"/>.</summary>
    protected abstract string Kind { get; }
    protected abstract string DiffTitle { get; }
    protected abstract string ActiveText();
    protected abstract RubricCheck Check(string yaml);

    public async Task OnGetAsync()
    {
        Yaml = ActiveText();
        await Load();
    }

    public Task OnPostCheckAsync() => CheckAndDiff();

    protected async Task Load()
    {
        History = await versions.History(Ct, Kind);
        Zone = await settings.CentreTimeZone(Ct);
    }

    protected async Task CheckAndDiff()
    {
        Checked = Check(Yaml);
        Diff = RubricEditor.Diff(ActiveText(), Yaml);
        await Load();
    }

    /// <summary>Publishes once the confirmation is ticked (else <paramref name="unconfirmed"/> is the page's error):
    /// <paramref name="publish"/> returns the notice shown after the redirect; a refusal <paramref name="shown"/> picks
    /// is shown on the page beside the text, anything else propagates.</summary>
    protected async Task<IActionResult> PublishConfirmed(string unconfirmed, Func<Task<string>> publish, Func<ReviewRuleException, bool> shown)
    {
        await CheckAndDiff();
        if (!Confirm)
        {
            Error = unconfirmed;
            return Page();
        }
        try
        {
            Notice = await publish();
            return RedirectToPage();
        }
        catch (ReviewRuleException e) when (shown(e))
        {
            Error = e.In(Ui);
            return Page();
        }
    }
}
