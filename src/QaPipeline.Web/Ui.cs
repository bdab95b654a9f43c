using Microsoft.AspNetCore.Http;

namespace QaPipeline.Web;

/// <summary>
/// The UI's two languages, decided once per request: the <c>qa-lang</c> cookie (the switch in the header), else the
/// browser's Accept-Language. Stored codes shown to people (statuses, verdicts, flag reasons, roles) are keyed strings
/// from resources per language (<see cref="Text"/>, an IStringLocalizer; a key missing in a language fails
/// <c>UiTextTests</c>); page prose is written as an English/Chinese pair where it is used
/// (<c>@Ui.S("Review queue", "质检队列")</c>) and resolved by the same decision, so a page never mixes languages.
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

    /// <summary>The keyed strings (statuses, verdicts, flag reasons, roles) in this request's language: resources per
    /// language behind <see cref="Microsoft.Extensions.Localization.IStringLocalizer"/> (<see cref="Localisation.UiText"/>).</summary>
    public Microsoft.Extensions.Localization.IStringLocalizer Text => new Localisation.UiText(Chinese);

    /// <summary>A stored code's label by key; an unknown code (a value newer than this build) as stored.</summary>
    private string Keyed(string key, string code) => Text[key] is { ResourceNotFound: false } label ? label.Value : code;

    public string Verdict(string? v) => string.IsNullOrEmpty(v) ? "" : Keyed(Localisation.UiText.VerdictKey(v), v);

    /// <summary>A flag reason's label by its <see cref="QaPipeline.Storage.FlagReason.LabelKey"/>; an unknown stored code as is.</summary>
    public string Reason(string code) =>
        QaPipeline.Storage.FlagReason.Find(code) is { } reason ? Keyed(reason.LabelKey, code) : code;

    /// <summary>A stored status in this language: <paramref name="kind"/> is flag, dispute, session or call.</summary>
    public string Status(string kind, string? status) => string.IsNullOrEmpty(status) ? "" : Keyed(Localisation.UiText.StatusKey(kind, status), status);

    public string RoleName(string role) => Keyed(Localisation.UiText.RoleKey(role), role);

    public static string Time(double? seconds) =>
        seconds is { } s ? $"{(int)(s / 60)}:{s % 60:00.0}" : "–";
}
