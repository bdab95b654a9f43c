using Microsoft.AspNetCore.Mvc;

namespace QaPipeline.Web.Pages;

/// <summary>Sends each role to where its day starts.</summary>
public sealed class IndexModel : QaPageModel
{
    public IActionResult OnGet() =>
        Redirect(Viewer.IsAdmin || Viewer.IsMonitor ? "/queue" : Viewer.IsTrainer ? "/library" : Viewer.IsAgent ? "/my" : Viewer.IsQaLead ? "/dashboard" : "/signin");
}
