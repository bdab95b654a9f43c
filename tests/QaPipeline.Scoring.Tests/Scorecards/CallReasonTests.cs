using System.Security.Cryptography;
using System.Text;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.TestSupport;
using Xunit.Abstractions;

namespace QaPipeline.Scoring.Tests.Scorecards;

/// <summary>Call reasons (contact drivers) of the default rubric: detection on labelled lines, tagging on calls, the YAML section.</summary>
public sealed class CallReasonTests(ITestOutputHelper output)
{
    // Lines written for this test (phone phrasing, customer and agent), each with the reasons a QA lead would tag.
    public static TheoryData<string, string[]> LabelledLines => new()
    {
        { "我上周买的鞋子尺码不对，想退货", ["return"] },
        { "这个衣服我不想要了，能不能寄回去给你们", ["order_change", "return"] },
        { "钱什么时候能退回到我卡里，退款怎么还没到账", ["refund"] },
        { "我的快递到哪了，三天了还没到", ["logistics"] },
        { "您的包裹已经发货，预计明天配送到您家", ["logistics"] },
        { "麻烦帮我开一张增值税发票，抬头写公司名称", ["invoice"] },
        { "你们这服务太差了，我要投诉你们", ["complaint"] },
        { "洗衣机用了一个月就坏了，能上门维修吗", ["repair"] },
        { "我想换货，换个大一号的", ["exchange"] },
        { "我刚下单，想修改地址", ["order_change"] },
        { "我买完第二天就降价了，能补差价吗", ["price_protection"] },
        { "您好，请问有什么可以帮您？", [] },
        { "好的，感谢您的耐心等待", [] },
        { "请问还有什么可以帮您的吗", [] },
        { "祝您生活愉快，再见", [] },
        { "我是一号客服，工号一零二三", [] },
        // ASR noise: a homophone (退货 heard as 推货) and fillers still tag the reason.
        { "嗯那个我想推货", ["return"] },
    };

    [Theory]
    [MemberData(nameof(LabelledLines))]
    public void A_labelled_line_shows_its_call_reasons(string line, string[] reasons) =>
        Assert.Equal(reasons.Order(StringComparer.Ordinal), CallReasonDetector.MatchLine(TestRubrics.Zh, line));

    // A sample of the JDDC e-commerce agent replies (../shared/corpora, every 250th line from line 7, the first 30),
    // labelled by hand by reading each line; kept by a fingerprint (SHA-256 of the trimmed line, 16 hex) because the
    // corpus text must not be committed. "" = no reason; several reasons are joined by commas. These lines are for
    // measuring only: the phrase lists were written from the seed manuals and keyword counts, not fitted to them.
    private static readonly Dictionary<string, string> CorpusLabels = new()
    {
        ["cb48edba704af683"] = "", ["9389014299266c31"] = "repair", ["0882b713e25dd90b"] = "logistics",
        ["dd7183c77980bca5"] = "logistics", ["fd5c566a50ef8ed5"] = "order_change,refund", ["f7a06ab196bdf8d7"] = "",
        ["392045f7344c6160"] = "", ["db5e654e7827db1a"] = "", ["0574fc024e8636b2"] = "",
        ["eac3f24a78f82677"] = "logistics", ["3c1df5f588248b0a"] = "", ["41fccfb9d8c9d5b9"] = "logistics",
        ["e93113faaff15afe"] = "", ["36dd6fb3d5877d55"] = "", ["31aa4a7552fffc1d"] = "repair",
        ["a5e356b79ff7c508"] = "invoice", ["e5a9349b6c7b7e71"] = "price_protection", ["58388d6c6c8405b5"] = "logistics",
        ["5e9d62f4d88f6118"] = "", ["5dc539c717b0baa6"] = "logistics", ["05af9e8080ebc44d"] = "logistics",
        ["9eae01f2bce69a35"] = "refund", ["a9cd0f2656b2053e"] = "", ["580bb6a52a69cd80"] = "repair",
        ["08fee03297e912b8"] = "", ["f66f778c3f0a6df3"] = "refund", ["86909cbe500ba6be"] = "",
        ["a7f5eb2fde305424"] = "repair", ["446efa3c56bfec5f"] = "refund", ["dbe3b95fe37abac5"] = "refund",
    };

    [Fact]
    public void On_labelled_ecommerce_corpus_lines_the_default_reasons_are_precise_and_find_most()
    {
        var corpus = Path.Combine(RepositoryPaths.Shared, "corpora", "jddc-agent-responses.txt");
        Assert.True(File.Exists(corpus), $"the e-commerce corpus is read from {corpus}");
        int tp = 0, fp = 0, fn = 0, found = 0;
        foreach (var line in File.ReadLines(corpus))
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line.Trim())))[..16];
            if (!CorpusLabels.TryGetValue(key, out var label)) continue;
            found++;
            var expected = label.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var detected = CallReasonDetector.MatchLine(TestRubrics.Zh, line).ToHashSet();
            tp += detected.Count(expected.Contains);
            fp += detected.Count(d => !expected.Contains(d));
            fn += expected.Count(e => !detected.Contains(e));
            if (!detected.SetEquals(expected)) output.WriteLine($"{key}: labelled [{label}] detected [{string.Join(",", detected)}]");
        }
        Assert.Equal(CorpusLabels.Count, found);
        var precision = tp / (double)Math.Max(1, tp + fp);
        var recall = tp / (double)Math.Max(1, tp + fn);
        output.WriteLine($"call reasons on {found} labelled corpus lines: precision {precision:0.00}, recall {recall:0.00} (tp {tp}, fp {fp}, fn {fn})");
        Assert.True(precision >= 0.9, $"precision {precision:0.00}");
        Assert.True(recall >= 0.7, $"recall {recall:0.00}");
    }

    [Fact]
    public void A_call_is_tagged_with_its_reasons_and_they_deduct_nothing()
    {
        var call = Dialogue.Plain("""
            坐席：您好，欢迎致电客服中心，我是工号1023号客服，请问有什么可以帮您？
            客户：你好，我买的吹风机坏了，想退货，钱能退回来吗？
            坐席：好的，我帮您申请退货，退款会原路返回。
            """);
        var card = Scorer.Score(TestRubrics.Zh, call);
        Assert.Equal(["refund", "repair", "return"], card.CallReasons.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Contains("坏了", card.CallReasons.Single(r => r.Id == "repair").Evidence.Text);
        var rubricWithoutReasons = TestRubrics.Zh with { CallReasons = [] };
        Assert.Equal(card.Score, Scorer.Score(rubricWithoutReasons, call).Score);
        Assert.Equal(card.Items.Select(i => i.Verdict), Scorer.Score(rubricWithoutReasons, call).Items.Select(i => i.Verdict));
        // Stored and read back with the scorecard.
        var back = ScorecardJson.Parse(ScorecardJson.Write(card));
        Assert.Equal(card.CallReasons.Select(r => (r.Id, r.Name, r.Evidence.Turn)), back.CallReasons.Select(r => (r.Id, r.Name, r.Evidence.Turn)));
    }

    [Fact]
    public void A_wrong_call_reason_is_rejected_with_its_line_and_field()
    {
        var path = Path.Combine(TestRubrics.RepoRoot, "scoring-rules", "zh-CN.yaml");
        var lines = File.ReadAllLines(path).ToList();
        int LineOf(string text) => lines.FindIndex(l => l == text) + 1;
        var first = LineOf("  - id: return");
        var second = LineOf("  - id: exchange");
        lines[second - 1] = "  - id: return";
        var e = Assert.Throws<RubricException>(() => RubricParser.Parse(string.Join('\n', lines), "zh-CN.yaml"));
        Assert.Equal($"zh-CN.yaml:{second}: call_reasons[1].id: duplicate call reason id 'return' (first defined on line {first})", e.Message);

        lines[second - 1] = "  - id: exchange";
        lines.Insert(second, "    speaker: caller");
        e = Assert.Throws<RubricException>(() => RubricParser.Parse(string.Join('\n', lines), "zh-CN.yaml"));
        Assert.Equal($"zh-CN.yaml:{second + 1}: call_reasons[1].speaker: speaker must be customer, agent or any (got 'caller')", e.Message);
    }
}
