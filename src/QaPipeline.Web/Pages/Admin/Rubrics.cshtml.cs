using Microsoft.AspNetCore.Mvc;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

public sealed class RubricsModel(RubricEditor editor, RubricVersionRepository versions) : QaPageModel
{
    [BindProperty] public string Yaml { get; set; } = "";
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public DateTime? From { get; set; }
    [BindProperty] public DateTime? To { get; set; }
    [BindProperty] public bool Confirm { get; set; }

    public RubricCheck? Checked { get; private set; }
    public IReadOnlyList<DiffLine> Diff { get; private set; } = [];
    public ImpactPreviewResult? Impact { get; private set; }
    public IReadOnlyList<RubricVersionRecord> History { get; private set; } = [];

    private CancellationToken Ct => HttpContext.RequestAborted;

    public async Task OnGetAsync()
    {
        Yaml = editor.ActiveText();
        History = await versions.History(Ct);
    }

    public async Task OnPostCheckAsync()
    {
        Checked = RubricEditor.Check(Yaml);
        Diff = RubricEditor.Diff(editor.ActiveText(), Yaml);
        History = await versions.History(Ct);
    }

    public async Task<IActionResult> OnPostPreviewAsync()
    {
        Checked = RubricEditor.Check(Yaml);
        Diff = RubricEditor.Diff(editor.ActiveText(), Yaml);
        History = await versions.History(Ct);
        if (Checked.Error is not null) return Page();
        Impact = await editor.Preview(Yaml, Utc(From), Utc(To)?.AddDays(1), Ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync()
    {
        Checked = RubricEditor.Check(Yaml);
        Diff = RubricEditor.Diff(editor.ActiveText(), Yaml);
        History = await versions.History(Ct);
        if (!Confirm)
        {
            Error = "tick the confirmation: publishing switches every node to this rubric for new calls";
            return Page();
        }
        try
        {
            var path = await editor.Publish(Viewer, Yaml, Note, Ct);
            Notice = $"published {System.IO.Path.GetFileName(path)}: new calls are scored with it; past scorecards stay until re-scored";
            return RedirectToPage();
        }
        catch (ReviewRuleException e) when (e.Status is 400 or 409)
        {
            Error = e.Message;
            return Page();
        }
    }

    private static DateTime? Utc(DateTime? d) => d is null ? null : DateTime.SpecifyKind(d.Value.Date, DateTimeKind.Utc);
}
