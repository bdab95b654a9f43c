using System.Globalization;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// The limits every form and API request is held to before anything is stored, in one place so pages and API refuse
/// the same things with the same one-line message (a <see cref="ReviewRuleException"/> with status 400). A 5 MB
/// "reason" once made every monitor's queue page weigh 14 MB: free text is capped, numbers must be finite and in range.
/// </summary>
public static class InputLimits
{
    /// <summary>Reasons, resolutions, comments, notes: a paragraph, not a document.</summary>
    public const int FreeText = 2000;

    /// <summary>Names of playlists, sessions, teams, people; logins; item and agent ids.</summary>
    public const int Name = 200;

    /// <summary>Largest request body a form or JSON API call needs (a calibration score sheet is the biggest, a few KB).</summary>
    public const long RequestBytes = 64 * 1024;

    /// <summary>The oldest and newest dates a filter may name: calls are from this century, not from year 1 or 9999.</summary>
    public static readonly DateTime EarliestDate = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime LatestDate = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Required free text: trimmed, non-empty, at most <see cref="FreeText"/> characters.</summary>
    public static string Text(string? value, string emptyMessage, string field, string fieldZh)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ReviewRuleException(emptyMessage, 400);
        return OptionalText(value, field, fieldZh)!;
    }

    public static string? OptionalText(string? value, string field, string fieldZh) => Limited(value, FreeText, field, fieldZh);

    public static string NameOf(string? value, string emptyMessage, string field, string fieldZh)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ReviewRuleException(emptyMessage, 400);
        return Limited(value, Name, field, fieldZh)!;
    }

    public static string? OptionalName(string? value, string field, string fieldZh) => Limited(value, Name, field, fieldZh);

    private static string? Limited(string? value, int limit, string field, string fieldZh)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.Length > limit)
            throw new ReviewRuleException($"the {field} is too long ({trimmed.Length:N0} characters; at most {limit:N0})", 400,
                $"{fieldZh}过长（{trimmed.Length:N0} 字；最多 {limit:N0} 字）") { Limit = true };
        return trimmed;
    }

    /// <summary>A time in a call: finite, 0 ≤ t, and inside the call when its length is known.</summary>
    public static double CallTime(double value, double? duration, string field, string fieldZh)
    {
        if (!double.IsFinite(value) || value < 0 || (duration is { } d && value > d + 0.5))
            throw new ReviewRuleException(
                $"the {field} must be a time inside the call (0–{(duration is { } max ? max.ToString("0.#", CultureInfo.InvariantCulture) : "its length")} s)", 400,
                $"{fieldZh}须在通话时长之内（0–{(duration is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : "通话时长")} 秒）") { Limit = true };
        return value;
    }

    /// <summary>A filter date inside <see cref="EarliestDate"/>..<see cref="LatestDate"/>, as UTC.</summary>
    public static DateTime? Date(DateTime? value, string field, string fieldZh)
    {
        if (value is not { } v) return null;
        var utc = DateTime.SpecifyKind(v, DateTimeKind.Utc);
        if (utc < EarliestDate || utc >= LatestDate)
            throw new ReviewRuleException($"the {field} date must be between 2000 and 2099", 400,
                $"{fieldZh}须在 2000 至 2099 年之间") { Limit = true };
        return utc;
    }

    /// <summary>A score filter: finite and within 0..max.</summary>
    public static double? Score(double? value, double max, string field, string fieldZh)
    {
        if (value is not { } v) return null;
        if (!double.IsFinite(v) || v < 0 || v > max)
            throw new ReviewRuleException($"the {field} must be a number from 0 to {max:0.##}", 400,
                $"{fieldZh}须为 0 到 {max:0.##} 之间的数") { Limit = true };
        return v;
    }

    /// <summary>One of a fixed set of values (verdicts, orderings, example kinds), or null when not given.</summary>
    public static string? OneOf(string? value, IReadOnlyCollection<string> allowed, string field, string fieldZh)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!allowed.Contains(value))
            throw new ReviewRuleException($"the {field} must be one of: {string.Join(", ", allowed)}", 400,
                $"{fieldZh}只能是：{string.Join("、", allowed)}") { Limit = true };
        return value;
    }
}
