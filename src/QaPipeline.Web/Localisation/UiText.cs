using System.Globalization;
using System.Resources;
using Microsoft.Extensions.Localization;

namespace QaPipeline.Web.Localisation;

/// <summary>
/// Every string the UI and API show — page text, notices, refusals (<c>error</c>/<c>error_zh</c>), item verdicts,
/// automatic item reasons, flag reasons, the statuses of flags, disputes, calibration sessions and calls, role names — as an <see cref="IStringLocalizer"/> over resources per language (<c>UiText.resx</c> English,
/// <c>UiText.zh-CN.resx</c> Chinese). The language is the one <see cref="Ui"/> decides for the request (the qa-lang
/// cookie, else Accept-Language), passed in rather than read from the thread's culture so a page and its keyed strings
/// can never disagree. A key missing in a language shows the key itself and is reported by <c>UiTextTests</c>.
/// </summary>
public sealed class UiText(bool chinese) : IStringLocalizer
{
    private static readonly ResourceManager Resources = new("QaPipeline.Web.Localisation.UiText", typeof(UiText).Assembly);

    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>The keys of stored codes: a status or verdict read from the database is shown through one of these.</summary>
    public static string VerdictKey(string verdict) => "verdict." + verdict;
    public static string StatusKey(string kind, string status) => $"status.{kind}.{status}";
    public static string RoleKey(string role) => "role." + role;

    /// <summary>Every key of the neutral (English) resources; the test checks each against every language.</summary>
    public static IReadOnlyList<string> Keys =>
        Resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!
            .Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>The value of <paramref name="key"/> in exactly one language (no fallback), or null.</summary>
    public static string? Exactly(string key, CultureInfo culture) =>
        Resources.GetResourceSet(culture.Equals(English) ? CultureInfo.InvariantCulture : culture, createIfNotExists: true, tryParents: false)?.GetString(key);

    private static readonly UiText InEnglish = new(false), InChinese = new(true);

    /// <summary>The catalogue in one language (the instances hold no request state, so two serve every request).</summary>
    public static UiText For(bool chinese) => chinese ? InChinese : InEnglish;

    private CultureInfo Culture => chinese ? Chinese : English;

    public LocalizedString this[string name]
    {
        get
        {
            var value = Resources.GetString(name, Culture);
            return new LocalizedString(name, value ?? name, resourceNotFound: value is null);
        }
    }

    /// <summary>A composite format resource with its arguments, formatted in this language's culture; an argument that
    /// is a <see cref="TextKey"/> (a field's name in a refusal) is itself shown in this language.</summary>
    public LocalizedString this[string name, params object[] arguments] =>
        this[name] is { ResourceNotFound: false } found
            ? arguments.Length == 0 ? found
              : new LocalizedString(name, string.Format(Culture, found.Value, arguments.Select(a => a is TextKey k ? this[k.Name].Value : a).ToArray()))
            : new LocalizedString(name, name, resourceNotFound: true);

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) =>
        Keys.Select(k => this[k]);
}

/// <summary>An argument of a keyed string that is itself a key (a field's name inside a refusal), resolved in the same
/// language as the string it is placed in.</summary>
public readonly record struct TextKey(string Name);
