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
    protected override string DiffTitle => Ui.T("rubrics.changes_against_active_rubric");
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
        Ui.T("rubrics.tick_confirmation_publishing_changes"),
        async () =>
        {
            var appliesFrom = AppliesFrom is { } day ? WebSettings.StartOfDay(day, Zone) : (DateTime?)null;
            var path = await editor.Publish(Viewer, Yaml, Note, Ct, appliesFrom);
            return editor.Scheduled is { } s && s.Path == path
                ? T("rubrics.notice.scheduled", System.IO.Path.GetFileName(path), WebSettings.Local(s.From, Zone))
                : T("rubrics.notice.published", System.IO.Path.GetFileName(path));
        },
        e => e.Status is 400 or 409);

    public Task<IActionResult> OnPostCancelScheduleAsync()
    {
        ModelState.Clear(); // the editor's fields are not part of this form
        return Act(async () => { await editor.CancelSchedule(Viewer, Ct); Notice = T("rubrics.notice.schedule_cancelled"); }, () => RedirectToPage());
    }
}
