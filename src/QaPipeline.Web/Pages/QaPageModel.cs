using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

/// <summary>What every page has: the signed-in viewer and a place for the message of a refused action.</summary>
public abstract class QaPageModel : PageModel
{
    public Viewer Viewer => HttpContext.RequiredViewer();

    [TempData] public string? Error { get; set; }
    [TempData] public string? Notice { get; set; }

    /// <summary>A keyed message in the viewer's language, for notices set by a handler.</summary>
    protected string T(string key, params object?[] arguments) => HttpContext.RequestServices.GetRequiredService<Ui>().T(key, arguments);

    /// <summary>Answers a GET whose query the rules refuse: the status (400) with the one-line message in the viewer's
    /// language, never a 500 and never a page built from a value nobody checked.</summary>
    protected IActionResult Refuse(ReviewRuleException e) =>
        new ContentResult
        {
            StatusCode = e.Status, ContentType = "text/plain; charset=utf-8",
            Content = e.In(HttpContext.RequestServices.GetRequiredService<Ui>()),
        };

    /// <summary>Runs an action of the review rules; a refusal becomes the page's error message (status kept for
    /// 403/404 so a forbidden action is never a silent redirect).</summary>
    protected async Task<IActionResult> Act(Func<Task> action, Func<IActionResult> then)
    {
        // A field the binder could not read (a number that is not one, a true/false that is neither): no form sends it.
        if (!ModelState.IsValid)
            return Refuse(new ReviewRuleException("error.form_field_invalid", 400, string.Join(", ", ModelState.Where(m => m.Value?.Errors.Count > 0).Select(m => m.Key))));
        try
        {
            await action();
            return then();
        }
        catch (ReviewRuleException e) when (e.Status is 403 or 404)
        {
            return StatusCode(e.Status);
        }
        catch (ReviewRuleException e) when (e.Limit)
        {
            return Refuse(e);
        }
        catch (ReviewRuleException e)
        {
            Error = e.In(HttpContext.RequestServices.GetRequiredService<Ui>());
            return then();
        }
    }
}
