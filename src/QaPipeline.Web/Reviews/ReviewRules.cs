using QaPipeline.Web.Localisation;

namespace QaPipeline.Web.Reviews;

/// <summary>A request the rules refuse, as a keyed message (<see cref="UiText"/>, <c>error.*</c>) with its arguments:
/// the API returns it in both languages (<c>error</c>, <c>error_zh</c>), a page in the viewer's.</summary>
public sealed class ReviewRuleException(string key, int status = 409, params object?[] arguments)
    : Exception(UiText.For(chinese: false)[key, arguments!].Value)
{
    public int Status { get; } = status;

    /// <summary>The resource key of the message (stable: clients may match on it).</summary>
    public string Key { get; } = key;

    /// <summary>The input broke a limit no form lets a person break (length, range, format): a page answers it with a
    /// 400 and the message, not a redirect back to the form as for an ordinary refusal.</summary>
    public bool Limit { get; init; }

    /// <summary>The message in Chinese for the Chinese UI and the API's <c>error_zh</c>.</summary>
    public string Chinese => UiText.For(chinese: true)[Key, arguments!].Value;

    /// <summary>The message in the language <paramref name="ui"/> decided for the request.</summary>
    public string In(Ui ui) => ui.Chinese ? Chinese : Message;

    /// <summary>The API's refusal body, <c>{error, error_zh}</c>, with the status.</summary>
    public Microsoft.AspNetCore.Http.IResult ToResult() =>
        Microsoft.AspNetCore.Http.Results.Json(new { error = Message, error_zh = Chinese }, statusCode: Status);

    /// <summary>An API refusal answered without throwing: the same body as a thrown one.</summary>
    public static Microsoft.AspNetCore.Http.IResult Answer(string key, int status, params object?[] arguments) =>
        new ReviewRuleException(key, status, arguments).ToResult();
}

public static class Verdicts
{
    public static readonly string[] Human = ["pass", "fail", "na"];
    public static bool IsHuman(string? v) => v is not null && Array.IndexOf(Human, v) >= 0;

    /// <summary>The core's verdict of a stored or submitted one ("pass", "fail", "na", "review").</summary>
    public static QaPipeline.Scoring.Scorecards.Verdict Parse(string v) =>
        QaPipeline.Scoring.DomainWords.ParseVerdict(v) ?? throw new FormatException($"'{v}' is not a verdict");
}
