using System.Net;
using System.Text.RegularExpressions;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Localisation;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The keyed strings of the UI (resources per language behind an IStringLocalizer): every key has a translation in
/// both languages, every stored code the pages show has a key, and the Chinese call page shows no English status word.
/// </summary>
[Collection("web")]
public sealed partial class UiTextTests(WebApp app)
{
    /// <summary>Codes stored in the database (the CHECK lists of the baseline schema) that pages show to people.</summary>
    public static TheoryData<string> ShownCodes()
    {
        var keys = new TheoryData<string>();
        foreach (var v in new[] { "pass", "fail", "na", "review" }) keys.Add(UiText.VerdictKey(v));
        foreach (var r in FlagReason.InWorkingOrder) keys.Add(r.LabelKey);
        foreach (var s in new[] { "open", "in_review", "closed" }) keys.Add(UiText.StatusKey("flag", s));
        foreach (var s in new[] { "open", "upheld", "rejected" }) keys.Add(UiText.StatusKey("dispute", s));
        foreach (var s in new[] { "scoring", "revealed", "closed" }) keys.Add(UiText.StatusKey("session", s));
        foreach (var s in new[] { "pending", "processing", "scored", "failed" }) keys.Add(UiText.StatusKey("call", s));
        foreach (var role in Role.All) keys.Add(UiText.RoleKey(role));
        foreach (var source in new[] { "learned_model", "rule_based" }) keys.Add("ordering." + source);
        return keys;
    }

    [Theory]
    [MemberData(nameof(ShownCodes))]
    public void Every_shown_code_has_a_key_with_a_translation_in_both_languages(string key)
    {
        Assert.False(string.IsNullOrWhiteSpace(UiText.Exactly(key, UiText.English)), $"{key} has no English text");
        Assert.False(string.IsNullOrWhiteSpace(UiText.Exactly(key, UiText.Chinese)), $"{key} has no Chinese text");
    }

    [Fact]
    public void Every_key_of_either_language_is_translated_in_the_other()
    {
        Assert.NotEmpty(UiText.Keys);
        foreach (var key in UiText.Keys)
        {
            Assert.False(string.IsNullOrWhiteSpace(UiText.Exactly(key, UiText.Chinese)), $"{key} lacks a zh-CN translation (UiText.zh-CN.resx)");
            Assert.Matches(HanRegex(), UiText.Exactly(key, UiText.Chinese)!);
        }
        var chinese = typeof(UiText).Assembly.GetSatelliteAssembly(UiText.Chinese);
        Assert.NotNull(chinese);
        using var set = new System.Resources.ResourceReader(chinese.GetManifestResourceStream("QaPipeline.Web.Localisation.UiText.zh-CN.resources")!);
        foreach (System.Collections.DictionaryEntry entry in set)
            Assert.Contains((string)entry.Key, UiText.Keys); // a Chinese key without its English original
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex HanRegex();

    [GeneratedRegex(@"\b(open|in_review|in review|closed|upheld|rejected)\b")]
    private static partial Regex EnglishStatus();

    private static string VisibleText(string html) =>
        Regex.Replace(Regex.Replace(html, @"<(script|style)[^>]*>.*?</\1>", " ", RegexOptions.Singleline), "<[^>]*>", " ");

    [Fact]
    public async Task The_chinese_call_page_shows_statuses_in_chinese()
    {
        var callId = await app.AddSampleCall("zh-statuses", dialogue: "s02_no_greeting");
        var agent = await app.ApiClient("agent1");
        var monitor = await app.ApiClient("monitor1");
        var call = await WebApp.JsonOf(await agent.GetAsync($"/api/v1/calls/{callId}"));
        var failed = call.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("automatic").GetString() == "fail").Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.True(failed.Count >= 2);
        await WebApp.JsonOf(await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = failed[0], reason = "我问候了" })));
        var upheld = (await WebApp.JsonOf(await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = failed[1], reason = "不适用", claim = "na" })))).GetProperty("dispute_id").GetInt64();
        var zh = await app.Client("monitor1");
        zh.DefaultRequestHeaders.Add("Cookie", "qa-lang=zh");
        var open = VisibleText(await zh.GetStringAsync($"/calls/{callId}"));
        Assert.Contains("待质检", open); // the flags are open
        Assert.Contains("待处理", open); // the disputes too
        Assert.DoesNotMatch(EnglishStatus(), open);

        await WebApp.JsonOf(await monitor.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { })));
        var inReview = VisibleText(await zh.GetStringAsync($"/calls/{callId}"));
        Assert.Contains("质检中", inReview);
        Assert.DoesNotMatch(EnglishStatus(), inReview);
        Assert.Equal(HttpStatusCode.OK, (await monitor.PostAsync($"/api/v1/calls/{callId}/release", WebApp.Json(new { }))).StatusCode);

        await WebApp.JsonOf(await monitor.PostAsync($"/api/v1/disputes/{upheld}/decision", WebApp.Json(new { uphold = true, resolution = "确认" })));
        var decided = VisibleText(await zh.GetStringAsync($"/calls/{callId}"));
        Assert.Contains("申诉成立", decided);
        Assert.DoesNotMatch(EnglishStatus(), decided);
    }
}
