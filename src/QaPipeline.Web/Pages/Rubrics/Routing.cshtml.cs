using Microsoft.AspNetCore.Mvc;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;
using QaPipeline.Web.Rubrics;

namespace QaPipeline.Web.Pages;

/// <summary>The routing table in the browser, with the rubric editor's parts: check, diff, publish with a note, history.</summary>
public sealed class RoutingModel(RoutingEditor editor, RubricVersionRepository versions, WebSettings settings) : RulesEditorPage(versions, settings)
{
    protected override string Kind => RubricVersionRepository.Routing;
    protected override string DiffTitle => Ui.S("Changes against the routing table in force", "与当前路由表的差异");
    protected override string ActiveText() => editor.ActiveText();
    protected override RubricCheck Check(string yaml) => editor.Check(yaml);

    public Task<IActionResult> OnPostPublishAsync() => PublishConfirmed(
        Ui.S("tick the confirmation: the next calls are routed by this table", "请勾选确认：之后的通话将按此路由表分配评分标准"),
        async () =>
        {
            await editor.Publish(Viewer, Yaml, Note, Ct);
            return "routing table published: the next calls are routed by it";
        },
        e => e.Status == 400);
}
