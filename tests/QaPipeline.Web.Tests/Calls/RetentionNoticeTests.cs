using System.Net;
using Dapper;

namespace QaPipeline.Web.Tests;

/// <summary>A call whose recording the retention job deleted keeps its page: transcript and scores, with a notice
/// in place of the player saying when and why the audio went.</summary>
[Collection("web")]
public sealed class RetentionNoticeTests(WebApp app)
{
    [Fact]
    public async Task The_call_page_says_the_recording_was_deleted_under_retention_instead_of_offering_a_player()
    {
        var id = await app.CallWhere("c.agent_id = 'A01'");
        var monitor = await app.Client("admin");
        Assert.Contains("<audio id=\"audio\"", await monitor.GetStringAsync($"/calls/{id}"));
        await app.Db.Run(c => c.ExecuteAsync("UPDATE calls SET recording_deleted_at = @at WHERE id = @id",
            new { id, at = new DateTime(2026, 3, 1, 3, 15, 0, DateTimeKind.Utc) }));
        try
        {
            var response = await monitor.GetAsync($"/calls/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("2026-03-01", page);
            Assert.Contains("retention", page);
            Assert.DoesNotContain("<audio id=\"audio\"", page);
            Assert.Contains("id=\"transcript\"", page);
        }
        finally
        {
            await app.Db.Run(c => c.ExecuteAsync("UPDATE calls SET recording_deleted_at = NULL WHERE id = @id", new { id }));
        }
    }
}
