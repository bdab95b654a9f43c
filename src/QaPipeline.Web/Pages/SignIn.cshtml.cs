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

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string login, string password)
    {
        if (await signIn.Verify(login ?? "", password ?? "", HttpContext.RequestAborted) is not { } user)
        {
            Failed = true;
            return Page();
        }
        await People.SignIn.SignInCookie(HttpContext, user);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
