using System.Text.Json.Nodes;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests;

/// <summary>The contract of ../shared/docs/cli-contract.md for `qa rules test`, `qa score` and
/// `qa rules validate`, checked on the real program.</summary>
public class ScoringCommandsTests
{
    [Fact]
    public void Rules_test_prints_one_sorted_json_line_per_input_line_in_order()
    {
        var input = QaProcess.Scratch("lines.txt", "不好意思，请问还有什么可以帮您的吗\n您好，欢迎来电\n\n请您耐心等待快递\n");
        var r = QaProcess.Run("rules", "test", "--rubric", "scoring-rules/zh-CN.yaml", "--input", input);
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal(1, first["line"]!.GetValue<int>());
        Assert.Equal("不好意思，请问还有什么可以帮您的吗", first["text"]!.GetValue<string>());
        Assert.Equal(["closing.more_help", "courtesy.apology"], first["items"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["greeting.opening"], JsonNode.Parse(lines[1])!["items"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Empty(JsonNode.Parse(lines[2])!["items"]!.AsArray());
        Assert.Empty(JsonNode.Parse(lines[3])!["items"]!.AsArray());
        // Byte for byte: compact, the contract's key order, Chinese as text (not \uXXXX escapes).
        Assert.Equal("{\"line\":2,\"text\":\"您好，欢迎来电\",\"items\":[\"greeting.opening\"]}", lines[1]);
        Assert.Equal("{\"line\":3,\"text\":\"\",\"items\":[]}", lines[2]);
    }

    [Fact]
    public void Rules_test_as_customer_applies_only_customer_phrase_rules()
    {
        var input = QaProcess.Scratch("customer.txt", "您好，欢迎来电\n");
        var r = QaProcess.Run("rules", "test", "--rubric", "scoring-rules/zh-CN.yaml", "--input", input, "--role", "customer");
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(JsonNode.Parse(r.Stdout)!["items"]!.AsArray());
    }

    [Fact]
    public void Score_prints_the_contract_scorecard_with_every_item_once()
    {
        var r = QaProcess.Run("score", "--rubric", "scoring-rules/zh-CN.yaml", "--transcript", "samples/transcripts/call-002-poor.txt");
        Assert.Equal(0, r.ExitCode);
        var card = JsonNode.Parse(r.Stdout)!.AsObject();
        Assert.Equal("zh-CN", card["rubric"]!.GetValue<string>());
        Assert.Equal("2026.11.1", card["rubric_version"]!.GetValue<string>());
        Assert.Equal(100.0, card["max_score"]!.GetValue<double>());
        Assert.False(card["fatal"]!.GetValue<bool>());
        var items = card["items"]!.AsArray();
        Assert.Equal(20, items.Count);
        Assert.Equal(items.Count, items.Select(i => i!["id"]!.GetValue<string>()).Distinct().Count());
        foreach (var item in items)
        {
            Assert.Contains(item!["verdict"]!.GetValue<string>(), new[] { "pass", "fail", "na", "review" });
            Assert.NotNull(item["category"]);
            Assert.NotNull(item["deduction"]);
            Assert.NotNull(item["evidence"]);
        }
        var greeting = items.Single(i => i!["id"]!.GetValue<string>() == "greeting.opening")!;
        Assert.Equal("service_language", greeting["category"]!.GetValue<string>());
        Assert.Equal("fail", greeting["verdict"]!.GetValue<string>());
        Assert.Equal("agent", greeting["evidence"]![0]!["speaker"]!.GetValue<string>());
        Assert.Equal(100 - items.Sum(i => i!["deduction"]!.GetValue<double>()), card["score"]!.GetValue<double>());
        Assert.Contains("below_pass_score", card["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public void Score_reads_the_product_json_transcript_with_times_in_the_evidence()
    {
        var r = QaProcess.Run("score", "--rubric", "scoring-rules/zh-CN.yaml", "--transcript", "samples/transcripts/call-001-good.json");
        Assert.Equal(0, r.ExitCode);
        var items = JsonNode.Parse(r.Stdout)!["items"]!.AsArray();
        var greeting = items.Single(i => i!["id"]!.GetValue<string>() == "greeting.opening")!;
        Assert.Equal("pass", greeting["verdict"]!.GetValue<string>());
        Assert.Equal(0.4, greeting["evidence"]![0]!["start"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("missing.yaml", "samples/transcripts/call-002-poor.txt", "rubric file not found")]
    [InlineData("scoring-rules/zh-CN.yaml", "missing.txt", "transcript file not found")]
    public void Missing_files_give_a_one_line_error_and_exit_2(string rubric, string transcript, string expected)
    {
        var r = QaProcess.Run("score", "--rubric", rubric, "--transcript", transcript);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void A_malformed_rubric_is_reported_with_file_line_and_field()
    {
        var bad = QaProcess.Scratch("bad-rubric.yaml", "id: x\nversion: '1'\nlanguage: zh\ncategories:\n  - { id: a, weight: 100 }\nitems:\n  - id: a.b\n    category: a\n    deduction: 1\n    rule: { kind: telepathy }\n");
        var r = QaProcess.Run("rules", "validate", bad);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"^qa: error: .*bad-rubric\.yaml:10: items\[0\]\.rule\.kind: unknown rule kind 'telepathy'", r.Stderr.Trim());
    }

    [Fact]
    public void Rules_validate_accepts_every_shipped_rubric()
    {
        var r = QaProcess.Run("rules", "validate", "scoring-rules/zh-CN.yaml", "scoring-rules/en-US.yaml", "scoring-rules/outbound-zh-CN.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(3, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("score", "--rubric")]
    [InlineData("rules", "test", "--rubric", "scoring-rules/zh-CN.yaml", "--input", "x", "--role", "boss")]
    public void Command_line_mistakes_are_one_line_errors_with_exit_2_not_the_help_page(params string[] args)
    {
        var r = QaProcess.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("qa: error: ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void An_empty_transcript_is_a_clear_error_not_a_crash()
    {
        var empty = QaProcess.Scratch("empty.txt", "");
        var r = QaProcess.Run("score", "--rubric", "scoring-rules/zh-CN.yaml", "--transcript", empty);
        Assert.Equal(2, r.ExitCode);
        Assert.EndsWith("transcript is empty", r.Stderr.Trim());
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Batch_scoring_writes_one_line_per_call_and_keeps_going_past_a_bad_file()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "scratch", "batch");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Path.Combine(QaProcess.RepoRoot, "samples", "transcripts")))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), true);
        File.WriteAllText(Path.Combine(dir, "zz-broken.txt"), "this is not a dialogue");
        var output = Path.Combine(dir, "..", "batch-out.jsonl");
        var r = QaProcess.Run("score", "--rubric", "scoring-rules/zh-CN.yaml", "--transcripts", dir, "--out", output);
        Assert.Equal(1, r.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal(Directory.GetFiles(dir).Length, lines.Length);
        Assert.Equal(lines.Length - 1, lines.Count(l => JsonNode.Parse(l)!["items"] is not null));
        Assert.Contains("zz-broken", lines[^1]);
        Assert.Contains("error", lines[^1]);
        Assert.Contains("1 failed", r.Stderr);
    }
}
