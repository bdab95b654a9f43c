using System.Text.RegularExpressions;
using QaPipeline.Web.Localisation;

namespace QaPipeline.Web.Tests;

/// <summary>
/// One localisation mechanism for everything the UI and API show: no page, handler or endpoint writes its own text
/// (the inline English/Chinese pairs, English-only notices and refusals are gone), every key the source names is in
/// the resources of both languages, and the Chinese main screens show no English UI words.
/// </summary>
[Collection("web")]
public sealed partial class ScreenLanguageTests(WebApp app)
{
    private static readonly string WebSource = Path.Combine(WebApp.RepoRoot, "src", "QaPipeline.Web");

    private static IEnumerable<(string File, string Text)> SourceFiles() =>
        Directory.EnumerateFiles(WebSource, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".cshtml"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(WebSource, f), File.ReadAllText(f)));

    [GeneratedRegex(@"Ui\.S\(|[^\w.]S\(\$?""|(?:Notice|Error)\s*=\s*\$?""|new\s*\{\s*error\s*=\s*\$?""|ReviewRuleException\(\$?""(?!(?:error|field)\.)|WriteError\([^,]+,[^,]+,\s*\$?""(?!error\.)")]
    private static partial Regex OwnText();

    [Fact]
    public void No_page_handler_or_endpoint_writes_text_outside_the_keyed_resources()
    {
        var found = SourceFiles().SelectMany(f => OwnText().Matches(f.Text).Select(m => $"{f.File}: …{f.Text.Substring(m.Index, Math.Min(60, f.Text.Length - m.Index))}")).ToList();
        Assert.True(found.Count == 0, "text written outside UiText*.resx:\n" + string.Join("\n", found));
    }

    [GeneratedRegex(@"""((?:common|queue|call|admin|rubrics|routing|dashboard|calibration|library|layout|my|signin|playlist|error|field|http|reason)\.[a-z0-9_.]*[a-z0-9_])""")]
    private static partial Regex KeyLiteral();

    [Fact]
    public void Every_key_the_source_names_is_in_both_languages()
    {
        var keys = SourceFiles().SelectMany(f => KeyLiteral().Matches(f.Text).Select(m => (f.File, Key: m.Groups[1].Value))).ToList();
        Assert.True(keys.Count > 400, $"only {keys.Count} keyed strings found in the web source");
        var missing = keys.Where(k => string.IsNullOrWhiteSpace(UiText.Exactly(k.Key, UiText.English)) || string.IsNullOrWhiteSpace(UiText.Exactly(k.Key, UiText.Chinese)))
            .Select(k => $"{k.File}: {k.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "keys without a text in both languages:\n" + string.Join("\n", missing));
    }

    private static string VisibleText(string html) =>
        System.Net.WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(Regex.Replace(html, @"<(script|style|textarea|pre)[^>]*>.*?</\1>", " ", RegexOptions.Singleline),
            // An audit record's detail is the record as written, shown verbatim (its action and entity are keyed).
            @"<td class=""audit-detail"">.*?</td>", " ", RegexOptions.Singleline), "<[^>]*>", " "));

    /// <summary>Words of three or more Latin letters, but for ids with dots or digits, file names, abbreviations that are
    /// the same in both languages, the language switch's own "English", and the demo seed's data (the admin's name and
    /// login, queue names, the routing table's conditions), which are data, not UI text.</summary>
    private static IEnumerable<string> EnglishWords(string text) =>
        Regex.Matches(text, @"[A-Za-z0-9_.\-/:@'’]+").Select(m => m.Value)
            .Where(w => Regex.IsMatch(w, "^[A-Za-z]{3,}[,;:.!?)]*$"))
            .Select(w => w.TrimEnd(',', ';', ':', '.', '!', '?', ')'))
            .Where(w => !SameInBothLanguages.Contains(w));

    private static readonly HashSet<string> SameInBothLanguages =
        ["English", "QaPipeline", "CSV", "XLSX", "SHA", "ASR", "Hangfire", "IANA", "Asia", "Shanghai", "zip", "yaml", "routing", "rules", "validate", "qa", "UTC",
         "Admin", "admin", "billing", "delivery", "outbound", "sales", "direction", "hotline", "language"];

    [Fact]
    public async Task The_chinese_main_screens_show_no_english_ui_words()
    {
        var callId = await app.AddSampleCall("zh-screens", dialogue: "s02_no_greeting");
        var screens = new (string Login, string Path)[]
        {
            ("monitor1", "/queue"), ("monitor1", "/queue?tab=all"), ("monitor1", $"/calls/{callId}"), ("agent1", "/my"), ("agent1", $"/calls/{callId}"),
            ("trainer1", "/library"), ("admin", "/dashboard"), ("admin", "/rubrics"), ("admin", "/rubrics/routing"), ("admin", "/admin"), ("monitor1", "/calibration"),
        };
        var report = new List<string>();
        foreach (var (login, path) in screens)
        {
            var zh = await app.Client(login);
            zh.DefaultRequestHeaders.Add("Cookie", "qa-lang=zh");
            var response = await zh.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{login} {path}: {(int)response.StatusCode}");
            var words = EnglishWords(VisibleText(await response.Content.ReadAsStringAsync())).Distinct().ToList();
            if (words.Count > 0) report.Add($"{login} {path}: {string.Join(" ", words)}");
        }
        Assert.True(report.Count == 0, "English words on Chinese screens:\n" + string.Join("\n", report));
    }

    [Fact]
    public async Task Rubric_item_descriptions_follow_the_viewer_s_language()
    {
        // Before: the zh-CN rubric had only Chinese descriptions, so the English call page showed them in Chinese.
        var callId = await app.AddSampleCall("described", dialogue: "s02_no_greeting");
        var en = await app.Client("monitor1");
        en.DefaultRequestHeaders.Add("Cookie", "qa-lang=en");
        var english = VisibleText(await en.GetStringAsync($"/calls/{callId}"));
        Assert.Contains("Opening greeting (hello / thanks for calling / how can I help)", english);
        Assert.DoesNotContain("开场问候（您好/欢迎来电/请问有什么可以帮您）", english);
        var zh = await app.Client("monitor1");
        zh.DefaultRequestHeaders.Add("Cookie", "qa-lang=zh");
        var chinese = VisibleText(await zh.GetStringAsync($"/calls/{callId}"));
        Assert.Contains("开场问候（您好/欢迎来电/请问有什么可以帮您）", chinese);
        // The automatic reasons read in Chinese too, with the item's Chinese description inside.
        Assert.Contains("未找到“开场问候（您好/欢迎来电/请问有什么可以帮您）”", chinese);
    }
}
