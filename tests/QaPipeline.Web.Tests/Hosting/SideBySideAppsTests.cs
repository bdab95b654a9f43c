using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Storage;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Several apps in one process, as the test suite runs them on a machine with many cores: Hangfire's log provider is
/// process-wide, and it pointed at the logger factory of the app that configured Hangfire last. When that app stopped
/// first, the other app's first job enqueue threw ObjectDisposedException (CI: nine web tests failed this way).
/// </summary>
public class SideBySideAppsTests
{
    [Fact]
    public async Task An_app_stopping_first_leaves_the_other_scoring_and_flagging_calls()
    {
        var first = new WebApp();
        await first.InitializeAsync();
        try
        {
            var second = new WebApp();
            await second.InitializeAsync();
            // Configures Hangfire for the second app: the process-wide log provider now belongs to it.
            _ = second.Services.GetRequiredService<IBackgroundJobClient>();
            await second.DisposeAsync();

            var id = await first.AddSampleCall("side-by-side-after-stop");

            var call = await first.Services.GetRequiredService<CallRepository>().Get(id);
            Assert.Equal(CallStatus.Scored, call!.Status);
            Assert.NotNull(await first.Services.GetRequiredService<ResultRepository>().CurrentScorecard(id));
        }
        finally { await first.DisposeAsync(); }
    }
}
