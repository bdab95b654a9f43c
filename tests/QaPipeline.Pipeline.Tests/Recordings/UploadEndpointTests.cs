using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Tests.Recordings;

/// <summary>The upload endpoint and the dashboard over real HTTP (Kestrel on a loopback port), on a node without the web
/// app: machines with the API key are its only callers.</summary>
[Collection(EngineCollection.Name)]
public sealed class UploadEndpointTests(EngineFixture engines)
{
    private async Task<(WebApplication App, HttpClient Http, string Dir)> Serve(Action<PipelineOptions>? configure = null)
    {
        var dir = TestCalls.TempDir("qa-http");
        var options = TestCalls.Options(engines.NewDatabase("sqlite"), dir);
        options.MaxUploadBytes = 200_000;
        options.ApiKey = TestCalls.ApiKey;
        configure?.Invoke(options);
        var (app, http) = await TestCalls.Serve(options, workers: false);
        return (app, http, dir);
    }

    private static MultipartFormDataContent Form(byte[] audio, string fileName, string? transcript = null, string agent = "A01")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("C-77"), "call_id" },
            { new StringContent(agent), "agent_id" },
            { new StringContent("inbound"), "direction" },
            { new StringContent("2026-03-02T09:00:00+08:00"), "start_time" },
        };
        if (transcript is not null) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(transcript)), "transcript", "t.txt");
        var file = new ByteArrayContent(audio);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "audio", fileName);
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient http, HttpContent content)
    {
        var response = await http.PostAsync("/api/calls", content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task Upload_stores_the_call_once_and_reports_a_duplicate()
    {
        var (app, http, _) = await Serve();
        await using var _app = app;
        var wav = TestCalls.Wav(1);
        var (status, body) = await Post(http, Form(wav, "call.wav", TestCalls.GoodDialogue));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True(body.GetProperty("imported_transcript").GetBoolean());
        var (again, dup) = await Post(http, Form(wav, "other-name.wav"));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.True(dup.GetProperty("duplicate").GetBoolean());
        Assert.Equal(body.GetProperty("call_id").GetInt64(), dup.GetProperty("call_id").GetInt64());
        var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/calls/{body.GetProperty("call_id").GetInt64()}")).RootElement;
        Assert.Equal("A01", detail.GetProperty("call").GetProperty("agent_id").GetString());
        Assert.Equal("inbound", detail.GetProperty("call").GetProperty("direction").GetString());
    }

    [Fact]
    public async Task Malicious_uploads_are_rejected_with_a_clear_message_and_nothing_written_outside_the_store()
    {
        var (app, http, dir) = await Serve();
        await using var _app = app;
        var before = Directory.EnumerateFileSystemEntries(Path.GetTempPath()).Count(e => Path.GetFileName(e).StartsWith("ASPNETCORE_", StringComparison.Ordinal));

        var (traversal, t) = await Post(http, Form(TestCalls.Wav(2), "../../../etc/cron.d/evil.wav"));
        Assert.Equal(HttpStatusCode.BadRequest, traversal);
        Assert.Contains("is not a plain file name", t.GetProperty("error").GetString());

        var (tooBig, b) = await Post(http, Form(TestCalls.Wav(3, seconds: 10), "long.wav"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig);
        Assert.Contains("larger than the limit of 200,000 bytes", b.GetProperty("error").GetString());

        var zip = new byte[1024];
        "PK\x03\x04"u8.CopyTo(zip);
        var (archive, z) = await Post(http, Form(zip, "calls.zip"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, archive);
        Assert.Equal("archives are not accepted (zip); upload the recording itself", z.GetProperty("error").GetString());

        var (notAudio, n) = await Post(http, Form(Encoding.UTF8.GetBytes("<?php system($_GET['c']); ?>"), "shell.wav"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notAudio);
        Assert.StartsWith("not an audio recording", n.GetProperty("error").GetString());

        var (noAudio, _) = await Post(http, new StringContent("hello"));
        Assert.Equal(HttpStatusCode.BadRequest, noAudio);

        // Nothing stored, nothing registered, nothing buffered by ASP.NET into the temp folder.
        Assert.Empty(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories));
        Assert.Equal("[]", await http.GetStringAsync("/api/calls"));
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(Path.GetTempPath()).Count(e => Path.GetFileName(e).StartsWith("ASPNETCORE_", StringComparison.Ordinal)));
    }

    private static async Task<(HttpStatusCode Status, string? Error, string Challenge)> Send(HttpClient http, HttpMethod method, string url,
        string? key = null, string? basic = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        if (basic is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var error = body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        return (response.StatusCode, error, response.Headers.WwwAuthenticate.ToString());
    }

    private static readonly string[] OperatorSurfaces = ["/hangfire", "/hangfire/jobs/enqueued", "/api/calls", "/api/calls/1", "/api/pipeline/status", "/metrics"];

    [Fact]
    public async Task Without_credentials_or_with_a_wrong_key_or_a_basic_header_every_surface_answers_401_and_the_key_opens_them()
    {
        var (app, _, dir) = await Serve(o => o.AdminPassword = "s3cret");
        await using var _app = app;
        using var http = TestCalls.Client(app);
        foreach (var url in OperatorSurfaces)
        {
            var anonymous = await Send(http, HttpMethod.Get, url);
            Assert.True(anonymous.Status == HttpStatusCode.Unauthorized, $"GET {url} without credentials: {(int)anonymous.Status}");
            Assert.Equal("send the X-Api-Key header (QA_API_KEY)", anonymous.Error);
            Assert.Contains("X-Api-Key", anonymous.Challenge);
            var wrong = await Send(http, HttpMethod.Get, url, key: TestCalls.ApiKey + "x");
            Assert.True(wrong.Status == HttpStatusCode.Unauthorized, $"GET {url} with a wrong key: {(int)wrong.Status}");
            Assert.Equal("the X-Api-Key header does not match QA_API_KEY", wrong.Error);
            // HTTP Basic is gone: not even the admin account's password opens anything.
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Get, url, basic: "admin:s3cret")).Status);
            var expected = url == "/api/calls/1" ? HttpStatusCode.NotFound : HttpStatusCode.OK; // no call yet: let in, nothing found
            Assert.Equal(expected, (await Send(http, HttpMethod.Get, url, key: TestCalls.ApiKey)).Status);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Post, "/api/calls/1/retry")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Post, "/api/calls/1/retry", key: "")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(http, HttpMethod.Post, "/api/calls/1/retry", key: TestCalls.ApiKey)).Status);

        var upload = await Send(http, HttpMethod.Post, "/api/calls", content: Form(TestCalls.Wav(8), "a.wav"));
        Assert.Equal((HttpStatusCode.Unauthorized, "send the X-Api-Key header (QA_API_KEY)"), (upload.Status, upload.Error));
        var wrongKey = await Send(http, HttpMethod.Post, "/api/calls", key: "guess", content: Form(TestCalls.Wav(8), "a.wav"));
        Assert.Equal((HttpStatusCode.Unauthorized, "the X-Api-Key header does not match QA_API_KEY"), (wrongKey.Status, wrongKey.Error));
        Assert.Empty(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories));
        Assert.Equal(HttpStatusCode.Created, (await Send(http, HttpMethod.Post, "/api/calls", key: TestCalls.ApiKey, content: Form(TestCalls.Wav(8), "a.wav"))).Status);
    }

    [Fact]
    public async Task Without_a_key_configured_nothing_is_open_not_even_to_this_machine()
    {
        // No loopback shortcut: behind a reverse proxy on the same machine every request comes from loopback.
        var (app, http, dir) = await Serve(o => o.ApiKey = null);
        await using var _app = app;
        foreach (var url in OperatorSurfaces)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Get, url)).Status);
        var upload = await Send(http, HttpMethod.Post, "/api/calls", content: Form(TestCalls.Wav(9), "a.wav"));
        Assert.Equal(HttpStatusCode.Unauthorized, upload.Status);
        Assert.Equal("this host takes no API key: set QA_API_KEY on the server and send it as the X-Api-Key header", upload.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Post, "/api/calls", key: "", content: Form(TestCalls.Wav(9), "a.wav"))).Status);
        Assert.Empty(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories));
    }
}
