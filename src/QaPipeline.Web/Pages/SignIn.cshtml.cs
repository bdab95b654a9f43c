using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QaPipeline.Web.People;
using People = QaPipeline.Web.People;

namespace QaPipeline.Web.Pages;

public sealed class SignInModel(SignIn signIn) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public bool Failed { get; private set; }
    public bool Locked { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string login, string password)
    {
        var (outcome, user) = await signIn.Attempt(login ?? "", password ?? "", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (user is null)
        {
            (Failed, Locked) = (true, outcome == People.SignIn.Outcome.Locked);
            if (Locked) Response.StatusCode = 429;
            return Page();
        }
        await People.SignIn.SignInCookie(HttpContext, user);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
