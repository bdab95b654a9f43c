using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

/// <summary>The routing table in the browser, with the rubric editor's parts: check, diff, publish with a note, history.</summary>
public sealed class RoutingModel(RoutingEditor editor, RubricVersionRepository versions, WebSettings settings) : QaPageModel
{
    [BindProperty] public string Yaml { get; set; } = "";
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public bool Confirm { get; set; }

    public RubricCheck? Checked { get; private set; }
    public IReadOnlyList<DiffLine> Diff { get; private set; } = [];
    public IReadOnlyList<RubricVersionRecord> History { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public RulesText Editor => new(Yaml, Checked, Diff, Ui.S("Changes against the routing table in force", "与当前路由表的差异"));
    private Ui Ui => HttpContext.RequestServices.GetRequiredService<Ui>();
    private CancellationToken Ct => HttpContext.RequestAborted;

    public async Task OnGetAsync()
    {
        Yaml = editor.ActiveText();
        await Load();
    }

    private async Task Load()
    {
        History = await versions.History(Ct, RubricVersionRepository.Routing);
        Zone = await settings.CentreTimeZone(Ct);
    }

    private async Task CheckAndDiff()
    {
        Checked = editor.Check(Yaml);
        Diff = RubricEditor.Diff(editor.ActiveText(), Yaml);
        await Load();
    }

    public Task OnPostCheckAsync() => CheckAndDiff();

    public async Task<IActionResult> OnPostPublishAsync()
    {
        await CheckAndDiff();
        if (!Confirm)
        {
            Error = Ui.S("tick the confirmation: the next calls are routed by this table", "请勾选确认：之后的通话将按此路由表分配评分标准");
            return Page();
        }
        try
        {
            await editor.Publish(Viewer, Yaml, Note, Ct);
            Notice = "routing table published: the next calls are routed by it";
            return RedirectToPage();
        }
        catch (ReviewRuleException e) when (e.Status == 400)
        {
            Error = e.Message;
            return Page();
        }
    }
}
