using Microsoft.AspNetCore.Http;

namespace QaPipeline.Web;

/// <summary>
/// The UI's two languages. Every piece of text is written as an English/Chinese pair where it is used
/// (<c>@Ui.S("Review queue", "质检队列")</c>), so a page can never ship with one language missing. The choice
/// comes from the <c>qa-lang</c> cookie (the switch in the header), else the browser's Accept-Language.
/// </summary>
public sealed class Ui(IHttpContextAccessor http)
{
    public const string Cookie = "qa-lang";

    public bool Chinese
    {
        get
        {
            var request = http.HttpContext?.Request;
            if (request?.Cookies[Cookie] is { } lang) return lang == "zh";
            var accept = request?.Headers.AcceptLanguage.ToString() ?? "";
            return accept.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        }
    }

    public string Lang => Chinese ? "zh-CN" : "en";

    public string S(string en, string zh) => Chinese ? zh : en;

    public string Verdict(string? v) => v switch
    {
        "pass" => S("pass", "通过"),
        "fail" => S("fail", "扣分"),
        "na" => S("n/a", "不适用"),
        "review" => S("needs review", "待复核"),
        null or "" => "",
        _ => v,
    };

    /// <summary>A flag reason's label by its <see cref="QaPipeline.Storage.FlagReason.LabelKey"/>; an unknown stored code as is.</summary>
    public string Reason(string code) =>
        QaPipeline.Storage.FlagReason.Find(code) is { } reason && Labels.TryGetValue(reason.LabelKey, out var label) ? S(label.En, label.Zh) : code;

    private static readonly Dictionary<string, (string En, string Zh)> Labels = new()
    {
        ["flag.fatal"] = ("fatal", "致命项"),
        ["flag.review_item"] = ("undecided item", "待判定项"),
        ["flag.low_asr_confidence"] = ("low ASR confidence", "识别置信度低"),
        ["flag.low_score"] = ("low score", "低分"),
        ["flag.model_disagreement"] = ("model expects an override", "模型预测误判"),
        ["flag.random_sample"] = ("random sample", "随机抽检"),
    };

    public string RoleName(string role) => role switch
    {
        "admin" => S("admin", "管理员"),
        "monitor" => S("monitor", "质检员"),
        "trainer" => S("trainer", "培训师"),
        "agent" => S("agent", "客服代表"),
        "qa_lead" => S("QA lead", "质检主管"),
        _ => role,
    };

    public static string Time(double? seconds) =>
        seconds is { } s ? $"{(int)(s / 60)}:{s % 60:00.0}" : "–";
}
