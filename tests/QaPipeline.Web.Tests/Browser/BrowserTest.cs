using System.Text.RegularExpressions;
using Microsoft.Playwright;
using QaPipeline.Bench.Seeding;

using QaPipeline.TestSupport;

namespace QaPipeline.Web.Tests;

/// <summary>What every browser test does: open a signed-in page for one person, and take the README screenshots.</summary>
public abstract class BrowserTest(WebApp app, BrowserFixture browser) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    protected WebApp App { get; } = app;

    /// <summary>
    /// Waits until the page's address matches <paramref name="pattern"/>, polling the address rather than waiting for
    /// Playwright's navigation lifecycle: in loaded full-suite runs WaitForURLAsync twice timed out (90 s) on a page
    /// that was plainly rendered at the right address (compare microsoft/playwright-dotnet#2897). The next locator
    /// waits for the element it needs.
    /// </summary>
    public static Task AtUrl(IPage page, string pattern) => Assertions.Expect(page).ToHaveURLAsync(new Regex(pattern));

    /// <summary>
    /// Clicks a button that posts a form and waits until the page that answered has replaced the one that posted:
    /// the old page's body is marked first, and the wait ends when a body without the mark is there. Like
    /// <see cref="AtUrl"/> this watches the page, not Playwright's load events: in a loaded full-suite run a
    /// WaitForLoadStateAsync after such a click once waited 90 s for a page that had answered.
    /// </summary>
    public static async Task SubmitAndWait(IPage page, ILocator submit)
    {
        await page.EvaluateAsync("() => document.body.setAttribute('data-posted-from', '')");
        await submit.ClickAsync();
        await page.Locator("body:not([data-posted-from])").WaitForAsync();
    }

    /// <summary>A fresh browser session signed in as <paramref name="login"/> through the sign-in page, in English.</summary>
    protected async Task<IPage> SignedIn(string login)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "en-US",
        });
        context.SetDefaultTimeout(90_000); // see BrowserFixture: CI load, not speed
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#login", login);
        await page.FillAsync("#password", DemoSeed.Password);
        await page.ClickAsync("#signin");
        try
        {
            await AtUrl(page, "/(queue|my|library|dashboard)");
            await page.Locator("form[action='/signout']").WaitForAsync();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            // Say where the browser ended up and what the page said, not only that it waited.
            var text = await page.InnerTextAsync("body");
            throw new TimeoutException($"sign-in of {login} did not reach a start page; at {page.Url}: " +
                                       $"{text[..Math.Min(text.Length, 600)].ReplaceLineEndings(" ")}; server errors: {string.Join(" | ", App.Errors)}", e);
        }
        return page;
    }

    /// <summary>Screenshots for docs/web.md: written to docs/screenshots when QA_SCREENSHOTS=1 (so a CI run does not
    /// rewrite committed files), else to a temporary folder — the capture itself always runs.</summary>
    protected static async Task Screenshot(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("QA_SCREENSHOTS") == "1"
            ? Path.Combine(WebApp.RepoRoot, "docs", "screenshots")
            : Path.Combine(Path.GetTempPath(), "qa-web-screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Type = ScreenshotType.Png });
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {name} is empty");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var c in _contexts) await c.CloseAsync();
    }
}
