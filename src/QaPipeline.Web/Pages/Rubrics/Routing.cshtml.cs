using Microsoft.AspNetCore.Mvc;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

/// <summary>The routing table in the browser, with the rubric editor's parts: check, diff, publish with a note, history.</summary>
public sealed class RoutingModel(RoutingEditor editor, RubricVersionRepository versions, WebSettings settings) : RulesEditorPage(versions, settings)
{
    protected override string Kind => RubricVersionRepository.Routing;
    protected override string DiffTitle => Ui.T("routing.changes_against_routing_table");
    protected override string ActiveText() => editor.ActiveText();
    protected override RubricCheck Check(string yaml) => editor.Check(yaml);

    public Task<IActionResult> OnPostPublishAsync() => PublishConfirmed(
        Ui.T("routing.tick_confirmation_next_calls"),
        async () =>
        {
            await editor.Publish(Viewer, Yaml, Note, Ct);
            return T("routing.notice.published");
        },
        e => e.Status == 400);
}
