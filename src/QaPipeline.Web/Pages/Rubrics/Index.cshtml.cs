using Microsoft.AspNetCore.Mvc;
using QaPipeline.Centre;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

// A rubric is ~20 KB of YAML, much of it Chinese: form-encoded that passes the web app's 64 KB default.
[RequestSizeLimit(1024 * 1024)]
public sealed class RubricsModel(RubricEditor editor, RubricVersionRepository versions, WebSettings settings) : RulesEditorPage(versions, settings)
{
    [BindProperty] public DateTime? From { get; set; }
    [BindProperty] public DateTime? To { get; set; }
    [BindProperty] public DateTime? AppliesFrom { get; set; }

    public ImpactPreviewResult? Impact { get; private set; }
    public RubricSchedule? Scheduled => editor.Scheduled;

    protected override string Kind => RubricVersionRepository.Rubric;
    protected override string DiffTitle => Ui.S("Changes against the active rubric", "与当前版本的差异");
    protected override string ActiveText() => editor.ActiveText();
    protected override RubricCheck Check(string yaml) => RubricEditor.Check(yaml);

    public async Task<IActionResult> OnPostPreviewAsync()
    {
        await CheckAndDiff();
        if (Checked!.Error is not null) return Page();
        // The period's days are the centre's days.
        Impact = await editor.Preview(Yaml, From is { } f ? WebSettings.StartOfDay(f, Zone) : null,
            To is { } t ? WebSettings.StartOfDay(t.AddDays(1), Zone) : null, Ct);
        return Page();
    }

    public Task<IActionResult> OnPostPublishAsync() => PublishConfirmed(
        Ui.S("tick the confirmation: publishing changes how new calls are scored on every node",
            "请勾选确认：发布后所有节点将按此版本为新通话评分"),
        async () =>
        {
            var appliesFrom = AppliesFrom is { } day ? WebSettings.StartOfDay(day, Zone) : (DateTime?)null;
            var path = await editor.Publish(Viewer, Yaml, Note, Ct, appliesFrom);
            return editor.Scheduled is { } s && s.Path == path
                ? $"scheduled {System.IO.Path.GetFileName(path)}: calls from {WebSettings.Local(s.From, Zone)} on are scored with it"
                : $"published {System.IO.Path.GetFileName(path)}: new calls are scored with it; past scorecards stay until re-scored";
        },
        e => e.Status is 400 or 409);

    public Task<IActionResult> OnPostCancelScheduleAsync()
    {
        ModelState.Clear(); // the editor's fields are not part of this form
        return Act(async () => { await editor.CancelSchedule(Viewer, Ct); Notice = "schedule cancelled"; }, () => RedirectToPage());
    }
}
