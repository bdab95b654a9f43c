using Microsoft.AspNetCore.Http;

namespace QaPipeline.Web;

/// <summary>
/// The UI's two languages, decided once per request: the <c>qa-lang</c> cookie (the switch in the header), else the
/// browser's Accept-Language. Every string shown to people — page text, notices, refusals, stored codes (statuses,
/// verdicts, flag reasons, roles), automatic reasons — is a keyed string from resources per language (<see cref="Text"/>,
/// an IStringLocalizer over <c>Localisation/UiText*.resx</c>; <c>@Ui.T("queue.claim")</c>); a key missing in a language
/// fails <c>UiTextTests</c>, so a page never mixes languages.
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

    /// <summary>The keyed strings in this request's language: resources per language behind
    /// <see cref="Microsoft.Extensions.Localization.IStringLocalizer"/> (<see cref="Localisation.UiText"/>).</summary>
    public Microsoft.Extensions.Localization.IStringLocalizer Text => Localisation.UiText.For(Chinese);

    /// <summary>The text of <paramref name="key"/> in this request's language; with arguments, the resource is a
    /// composite format string (<c>{0}</c>, <c>{0:0.#}</c>) formatted in that language's culture.</summary>
    public string T(string key) => Text[key].Value;

    public string T(string key, params object?[] arguments) => Text[key, arguments!].Value;

    /// <summary>A stored code's label by key; an unknown code (a value newer than this build) as stored.</summary>
    private string Keyed(string key, string code) => Text[key] is { ResourceNotFound: false } label ? label.Value : code;

    public string Verdict(string? v) => string.IsNullOrEmpty(v) ? "" : Keyed(Localisation.UiText.VerdictKey(v), v);

    /// <summary>A flag reason's label by its <see cref="QaPipeline.Storage.FlagReason.LabelKey"/>; an unknown stored code as is.</summary>
    public string Reason(string code) =>
        QaPipeline.Storage.FlagReason.Find(code) is { } reason ? Keyed(reason.LabelKey, code) : code;

    /// <summary>A stored status in this language: <paramref name="kind"/> is flag, dispute, session or call.</summary>
    public string Status(string kind, string? status) => string.IsNullOrEmpty(status) ? "" : Keyed(Localisation.UiText.StatusKey(kind, status), status);

    /// <summary>A rubric item's description in this language: rubric data, not UI text, so it comes from the rubric
    /// (<c>description_en</c> / <c>description_zh</c>), else the rubric's own <c>description</c>.</summary>
    public string Description(string own, string? english, string? chinese) => (Chinese ? chinese : english) ?? own;

    /// <summary>An automatic item reason in this language (<see cref="Calls.AutomaticReasonText"/>), with the item's
    /// description as the rubric gives it in this language.</summary>
    public string AutomaticReason(Calls.MachineItem item) =>
        Calls.AutomaticReasonText.Show(item.Reason, Text,
            d => d == item.Description ? Description(item.Description, item.DescriptionEn, item.DescriptionZh) : d);

    /// <summary>An audit record's action and entity codes by key; the record itself (detail) is shown as stored.</summary>
    public string AuditAction(string action) => Keyed("audit.action." + System.Text.RegularExpressions.Regex.Replace(action, "[^a-z0-9]+", "_"), action);

    public string AuditEntity(string entity) => Keyed("audit.entity." + entity, entity);

    public string RoleName(string role) => Keyed(Localisation.UiText.RoleKey(role), role);

    public static string Time(double? seconds) =>
        seconds is { } s ? $"{(int)(s / 60)}:{s % 60:00.0}" : "–";
}
