using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;

namespace QaPipeline.Pipeline.Tests.Recordings;

/// <summary>The upload endpoint and the dashboard over real HTTP (Kestrel on a loopback port).</summary>
[Collection(EngineCollection.Name)]
public sealed class UploadEndpointTests(EngineFixture engines)
{
    private async Task<(WebApplication App, HttpClient Http, string Dir)> Serve(Action<PipelineOptions>? configure = null)
    {
        var dir = TestCalls.TempDir("qa-http");
        var options = TestCalls.Options(engines.NewDatabase("sqlite"), dir);
        options.MaxUploadBytes = 200_000;
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

    [Fact]
    public async Task Dashboard_needs_the_admin_password_once_one_is_set()
    {
        var (app, http, _) = await Serve(o => o.AdminPassword = "s3cret");
        await using var _app = app;
        var anonymous = await http.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:wrong"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/hangfire")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:s3cret"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync("/api/calls/1/retry", null)).StatusCode);
    }

    [Fact]
    public async Task Without_a_password_the_dashboard_answers_loopback_only_and_never_a_forwarded_request()
    {
        var (app, http, _) = await Serve();
        await using var _app = app;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hangfire")).StatusCode);
        var forwarded = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forwarded)).StatusCode);
        var upload = new HttpRequestMessage(HttpMethod.Post, "/api/calls") { Content = Form(TestCalls.Wav(9), "a.wav") };
        upload.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(upload)).StatusCode);
    }
}
