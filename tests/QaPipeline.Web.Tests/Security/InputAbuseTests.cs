using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Oversized and malformed input to every API endpoint and every form: always a 4xx with a one-line message, never a
/// 500, and nothing stored. The API endpoints are read from the running app's route table, so an endpoint added later
/// is abused too; the forms are listed by page and handler.
/// </summary>
public abstract partial class InputAbuse(WebApp app)
{
    private static readonly string Long = new('长', 5000);
    private static readonly string Huge = new('x', 5 * 1024 * 1024);

    private async Task<HttpClient> Api(string login)
    {
        var client = await app.Client(login);
        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(client));
        return client;
    }

    private void AssertClientError(HttpResponseMessage response, string what, string body)
    {
        if (response.StatusCode == HttpStatusCode.Redirect) body += " -> " + response.Headers.Location + " cookies " + string.Join(";", response.Headers.TryGetValues("Set-Cookie", out var c) ? c : []);
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{what}: {status} {body[..Math.Min(300, body.Length)]} {string.Join("\n", app.Errors)}");
        Assert.DoesNotContain("\n   at ", body); // no stack trace
    }

    /// <summary>Row counts of every table a form or API call writes to, and the longest free text stored.</summary>
    private Task<string> Stored() => app.Db.Run(async c =>
    {
        var counts = new List<string>();
        foreach (var table in new[] { "comments", "disputes", "playlists", "playlist_items", "calibration_sessions", "teams", "users", "review_item_verdicts" })
            counts.Add($"{table}={await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        return string.Join(" ", counts);
    });

    private async Task<long> LongestStoredText() => await app.Db.Run(c => c.ExecuteScalarAsync<long>("""
        SELECT MAX(n) FROM (
            SELECT MAX(LENGTH(body)) AS n FROM comments UNION ALL SELECT MAX(LENGTH(reason)) FROM disputes
            UNION ALL SELECT MAX(LENGTH(COALESCE(resolution, ''))) FROM disputes UNION ALL SELECT MAX(LENGTH(name)) FROM playlists
            UNION ALL SELECT MAX(LENGTH(COALESCE(note, ''))) FROM review_item_verdicts) x
        """));

    /// <summary>The web API's endpoints from the route table; TakesBody when the endpoint reads a JSON body.</summary>
    private IEnumerable<(string Method, string Pattern, bool TakesBody)> WebApiEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, e.RoutePattern.RawText!, e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null)))
            .Distinct();

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task Every_api_post_answers_oversized_malformed_and_out_of_range_bodies_with_a_4xx_and_stores_nothing()
    {
        var callId = await app.AddSampleCall("abuse-api");
        var admin = await Api("admin");
        var before = await Stored();
        var posts = WebApiEndpoints().Where(e => e.Method == "POST" && e.TakesBody).ToList();
        Assert.True(posts.Count >= 10, $"found only {posts.Count} POST endpoints with a body");
        // Every field an API body has, each set to something no person sends.
        var abusive = new Dictionary<string, object?>
        {
            ["item"] = Long, ["verdict"] = Long, ["reason"] = Long, ["body"] = Long, ["at"] = 1e308, ["uphold"] = true, ["resolution"] = Long,
            ["name"] = Long, ["forAgentId"] = Long, ["forTeam"] = Long, ["callId"] = callId, ["start"] = -5, ["end"] = 1e300, ["example"] = Long,
            ["note"] = Long, ["calls"] = new[] { callId }, ["participants"] = new[] { 1L, 2L }, ["verdicts"] = new Dictionary<string, string> { [Long] = Long },
        };
        foreach (var (_, pattern, _) in posts)
        {
            var url = RouteParameter().Replace(pattern, callId.ToString());
            foreach (var (what, content) in new (string, HttpContent)[]
                     {
                         ("5 MB body", new StringContent(JsonSerializer.Serialize(new { reason = Huge, body = Huge, name = Huge }), Encoding.UTF8, "application/json")),
                         ("malformed JSON", new StringContent("{\"reason\": ", Encoding.UTF8, "application/json")),
                         ("a JSON array", new StringContent("[1,2,3]", Encoding.UTF8, "application/json")),
                         ("long texts and numbers out of range", new StringContent(JsonSerializer.Serialize(abusive), Encoding.UTF8, "application/json")),
                     })
            {
                // Expect: 100-continue lets the server refuse a body it will not read before the client sends it.
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                request.Headers.ExpectContinue = true;
                var response = await admin.SendAsync(request);
                AssertClientError(response, $"POST {url} with {what}", await response.Content.ReadAsStringAsync());
            }
        }
        Assert.Equal(before, await Stored());
        Assert.True(await LongestStoredText() <= 2000);
    }

    [Fact]
    public async Task Every_api_get_answers_absurd_query_values_without_a_server_error()
    {
        var callId = await app.CallWhere("c.agent_id = 'A01'");
        var admin = await Api("admin");
        var gets = WebApiEndpoints().Where(e => e.Method == "GET").ToList();
        string[] parameters = ["team", "agent", "queueName", "from", "to", "item", "reason", "band", "page", "order", "verdict", "phrase", "minScore", "maxScore", "start", "end"];
        foreach (var value in new[] { "NaN", "9999-12-31", "-1e308", "0001-01-01", Long, "%00", "2147483648" })
            foreach (var (_, pattern, _) in gets)
            {
                var url = RouteParameter().Replace(pattern, callId.ToString()) + "?" + string.Join("&", parameters.Select(p => $"{p}={Uri.EscapeDataString(value)}"));
                var response = await admin.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode < 500, $"GET {pattern} with {value[..Math.Min(20, value.Length)]}: {(int)response.StatusCode} {string.Join("\n", app.Errors)}");
                Assert.DoesNotContain("\n   at ", body);
            }
    }

    [Theory]
    [InlineData("/queue?to=9999-12-31")]
    [InlineData("/library?maxScore=NaN")]
    [InlineData("/api/v1/library?maxScore=NaN")]
    [InlineData("/api/v1/queue?from=9999-12-31")]
    [InlineData("/queue?page=2147483647")]
    public async Task Absurd_filters_are_refused_with_a_400_and_a_message(string url)
    {
        var admin = await app.Client("admin");
        var response = await admin.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(body.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_crafted_language_return_address_redirects_home_instead_of_failing()
    {
        var anonymous = await app.Client(null);
        foreach (var returnUrl in new[] { "/%5Cevil.com", "//evil.com", "https://evil.com", "/\tx" })
        {
            var response = await anonymous.GetAsync("/lang/en?returnUrl=" + returnUrl);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/", response.Headers.Location?.ToString());
        }
        Assert.Equal("/queue", (await anonymous.GetAsync("/lang/zh?returnUrl=%2Fqueue")).Headers.Location?.ToString());
    }

    [Fact]
    public async Task Comment_times_outside_the_call_and_clips_beyond_it_are_refused_not_stored()
    {
        var callId = await app.AddSampleCall("abuse-times");
        var monitor = await Api("monitor1");
        var before = await Stored();
        foreach (var at in new[] { -5.0, 1e308, 1e6 })
        {
            var response = await monitor.PostAsync($"/api/v1/calls/{callId}/comments", WebApp.Json(new { at, body = "listen here" }));
            AssertClientError(response, $"comment at {at}", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await monitor.PostAsync($"/api/v1/calls/{callId}/comments", WebApp.Json(new { at = 3.5, body = "listen here" }))).StatusCode);
        foreach (var (start, end) in new[] { (1e300, 1e301), (-1.0, 5.0), (5.0, 2.0) })
            Assert.Equal(HttpStatusCode.BadRequest, (await monitor.GetAsync($"/calls/{callId}/clip?start={start}&end={end}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await monitor.GetAsync($"/calls/{callId}/clip?start=NaN&end=5")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await monitor.GetAsync($"/calls/{callId}/clip?start=1&end=5")).StatusCode);
        Assert.NotEqual(before, await Stored()); // the one good comment, and only it
        Assert.Equal(1, await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM comments WHERE call_id = @callId", new { callId })));
    }

    /// <summary>The anti-forgery token a page's forms carry.</summary>
    private static async Task<string> FormToken(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        return Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value is { Length: > 0 } token
            ? token : throw new InvalidOperationException($"{page} has no form token");
    }

    [Fact]
    public async Task Every_form_answers_oversized_and_malformed_fields_with_a_4xx_and_stores_nothing()
    {
        var callId = await app.AddSampleCall("abuse-forms");
        var agentCall = await app.AddSampleCall("abuse-forms-agent", dialogue: "s02_no_greeting");
        // A claimed call (verdict form), an open dispute (decision form), a playlist (bookmark form).
        var api = await Api("monitor1");
        var claim = await api.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }));
        Assert.True(claim.IsSuccessStatusCode, await claim.Content.ReadAsStringAsync());
        var agentApi = await Api("agent1");
        var dispute = await agentApi.PostAsync($"/api/v1/calls/{agentCall}/disputes", WebApp.Json(new { item = "greeting.opening", reason = "I greeted" }));
        var disputeId = JsonDocument.Parse(await dispute.Content.ReadAsStringAsync()).RootElement.GetProperty("dispute_id").GetInt64();
        var playlist = await api.PostAsync("/api/v1/playlists", WebApp.Json(new { name = "abuse playlist" }));
        var playlistId = JsonDocument.Parse(await playlist.Content.ReadAsStringAsync()).RootElement.GetProperty("playlist_id").GetInt64();
        var item = "greeting.opening";

        var forms = new (string Login, string Page, string Handler, Dictionary<string, string> Fields)[]
        {
            ("monitor1", $"/calls/{callId}", "Verdict", new() { ["item"] = item, ["verdict"] = "fail", ["reason"] = Long }),
            ("monitor1", $"/calls/{callId}", "Verdict", new() { ["item"] = Long, ["verdict"] = Long }),
            ("monitor1", $"/calls/{callId}", "Comment", new() { ["at"] = "-5", ["body"] = "x" }),
            ("monitor1", $"/calls/{callId}", "Comment", new() { ["at"] = "1e308", ["body"] = "x" }),
            ("monitor1", $"/calls/{callId}", "Comment", new() { ["at"] = "NaN", ["body"] = "x" }),
            ("monitor1", $"/calls/{callId}", "Comment", new() { ["at"] = "1", ["body"] = Long }),
            ("monitor1", $"/calls/{callId}", "Bookmark", new() { ["playlistId"] = playlistId.ToString(), ["start"] = "1e300", ["end"] = "1e301", ["example"] = "good" }),
            ("monitor1", $"/calls/{callId}", "Bookmark", new() { ["playlistId"] = playlistId.ToString(), ["start"] = "1", ["end"] = "2", ["example"] = "good", ["note"] = Long }),
            ("monitor1", $"/calls/{callId}", "Bookmark", new() { ["playlistId"] = "abc", ["start"] = "x", ["end"] = "y", ["example"] = Long }),
            ("monitor1", $"/calls/{agentCall}", "DecideDispute", new() { ["disputeId"] = disputeId.ToString(), ["uphold"] = "true", ["resolution"] = Long }),
            ("monitor1", $"/calls/{agentCall}", "DecideDispute", new() { ["disputeId"] = "NaN", ["uphold"] = "maybe", ["resolution"] = "x" }),
            ("agent1", $"/calls/{agentCall}", "Dispute", new() { ["item"] = "greeting.closing", ["reason"] = Long }),
            ("trainer1", "/library", "Create", new() { ["name"] = Long }),
            ("trainer1", "/library", "Create", new() { ["name"] = "ok", ["forAgentId"] = Long, ["forTeam"] = Long }),
            ("monitor1", "/calibration", "Create", new() { ["name"] = Long, ["calls"] = callId.ToString(), ["participants"] = "1" }),
            ("monitor1", "/calibration", "Create", new() { ["name"] = "x", ["calls"] = Long, ["participants"] = "abc" }),
            ("admin", "/admin", "Team", new() { ["name"] = Long }),
            ("admin", "/admin", "Create", new() { ["login"] = Long, ["displayName"] = "x", ["password"] = "password1", ["role"] = "agent" }),
            ("admin", "/admin", "Create", new() { ["login"] = "abuser", ["displayName"] = Long, ["password"] = "password1", ["role"] = "agent" }),
            ("admin", "/admin", "Create", new() { ["login"] = "abuser", ["password"] = "password1", ["role"] = "agent", ["teamId"] = "999999" }),
            ("admin", "/admin", "Update", new() { ["id"] = app.UserId("agent3").ToString(), ["displayName"] = Long, ["roles"] = "agent", ["active"] = "true" }),
            ("admin", "/admin", "Settings", new() { ["sampleRate"] = "NaN", ["scoreThreshold"] = "80", ["disputeDays"] = "7", ["retentionDays"] = "365" }),
            ("admin", "/admin", "Settings", new() { ["sampleRate"] = "0.1", ["scoreThreshold"] = "1e308", ["disputeDays"] = "99999999999", ["retentionDays"] = "-1" }),
        };
        var before = await Stored();
        foreach (var (login, page, handler, fields) in forms)
        {
            var client = await app.Client(login);
            var token = await FormToken(client, page);
            foreach (var (what, values) in new[] { ("long or malformed fields", fields), ("a 5 MB field", fields.ToDictionary(f => f.Key, f => Huge)) })
            {
                var form = new FormUrlEncodedContent(values.Append(new("__RequestVerificationToken", token)));
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{page}?handler={handler}") { Content = form };
                request.Headers.ExpectContinue = true;
                var response = await client.SendAsync(request);
                AssertClientError(response, $"{login} {page} {handler} with {what}", await response.Content.ReadAsStringAsync());
            }
        }
        Assert.Equal(before, await Stored());
        Assert.True(await LongestStoredText() <= 2000);
        Assert.Equal("客服 孙丽", (await app.Db.Run(c => c.ExecuteScalarAsync<string>("SELECT display_name FROM users WHERE login = 'agent3'")))!);

        // Leave the shared centre as it was: other tests pick the first playlist and count open disputes.
        await api.PostAsync($"/api/v1/calls/{callId}/release", WebApp.Json(new { }));
        await app.Db.Run(c => c.ExecuteAsync("DELETE FROM disputes WHERE id = @disputeId; DELETE FROM playlists WHERE id = @playlistId", new { disputeId, playlistId }));
    }

    [Fact]
    public async Task A_form_refused_for_its_size_says_so_in_the_viewers_language()
    {
        var client = await app.Client("trainer1");
        await client.GetAsync("/lang/zh");
        var token = await FormToken(client, "/library");
        var response = await client.PostAsync("/library?handler=Create", new FormUrlEncodedContent([new("name", Long), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("播放列表名称过长", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The abuse tests on the SQLite app (shared with the other web tests).</summary>
[Collection("web")]
public sealed class InputAbuseOnSqlite(WebApp app) : InputAbuse(app);

/// <summary>The same abuse on PostgreSQL: lengths, ranges and malformed values are refused before the database sees
/// them there too (a text or numeric type error from Npgsql would otherwise be a 500).</summary>
public sealed class InputAbuseOnPostgres(PostgresWebApp app) : InputAbuse(app), IClassFixture<PostgresWebApp>;
