using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET. The browser is launched by path and never downloaded; a missing
/// /usr/bin/chromium fails the tests loudly (setup.sh installs it).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run ./setup.sh (Debian package chromium)");
        _playwright = await Playwright.CreateAsync();
        // The whole suite runs its test projects side by side on CI's two cores (whisper.cpp, PostgreSQL, ffmpeg):
        // a page that takes 50 ms alone once took over 30 s (Playwright's default) to appear. The limits are for a
        // hung page, not a measure of speed (that is `qa bench web`).
        Assertions.SetDefaultExpectTimeout(60_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}
