using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace QaPipeline.Web.Pages;

public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => StatusCode(405);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebHosting.CookieScheme);
        return Redirect("/signin");
    }
}
