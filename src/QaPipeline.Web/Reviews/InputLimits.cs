using System.Globalization;
using QaPipeline.Web.Localisation;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// The limits every form and API request is held to before anything is stored, in one place so pages and API refuse
/// the same things with the same one-line message (a <see cref="ReviewRuleException"/> with status 400). A 5 MB
/// "reason" once made every monitor's queue page weigh 14 MB: free text is capped, numbers must be finite and in range.
/// A field is named by its key (<c>field.dispute_reason</c>) so the message names it in the viewer's language.
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
    public static string Text(string? value, string emptyKey, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ReviewRuleException(emptyKey, 400);
        return OptionalText(value, field)!;
    }

    public static string? OptionalText(string? value, string field) => Limited(value, FreeText, field);

    public static string NameOf(string? value, string emptyKey, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ReviewRuleException(emptyKey, 400);
        return Limited(value, Name, field)!;
    }

    public static string? OptionalName(string? value, string field) => Limited(value, Name, field);

    private static string? Limited(string? value, int limit, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.Length > limit)
            throw new ReviewRuleException("error.too_long", 400, new TextKey(field), trimmed.Length, limit) { Limit = true };
        return trimmed;
    }

    /// <summary>A time in a call: finite, 0 ≤ t, and inside the call when its length is known.</summary>
    public static double CallTime(double value, double? duration, string field)
    {
        if (!double.IsFinite(value) || value < 0 || (duration is { } d && value > d + 0.5))
            throw duration is { } max
                ? new ReviewRuleException("error.time_outside_call", 400, new TextKey(field), max.ToString("0.#", CultureInfo.InvariantCulture)) { Limit = true }
                : new ReviewRuleException("error.time_not_a_call_time", 400, new TextKey(field)) { Limit = true };
        return value;
    }

    /// <summary>A filter date inside <see cref="EarliestDate"/>..<see cref="LatestDate"/>, as UTC.</summary>
    public static DateTime? Date(DateTime? value, string field)
    {
        if (value is not { } v) return null;
        var utc = DateTime.SpecifyKind(v, DateTimeKind.Utc);
        if (utc < EarliestDate || utc >= LatestDate)
            throw new ReviewRuleException("error.date_out_of_range", 400, new TextKey(field)) { Limit = true };
        return utc;
    }

    /// <summary>A score filter: finite and within 0..max.</summary>
    public static double? Score(double? value, double max, string field)
    {
        if (value is not { } v) return null;
        if (!double.IsFinite(v) || v < 0 || v > max)
            throw new ReviewRuleException("error.score_out_of_range", 400, new TextKey(field), max) { Limit = true };
        return v;
    }

    /// <summary>One of a fixed set of values (verdicts, orderings, example kinds), or null when not given.</summary>
    public static string? OneOf(string? value, IReadOnlyCollection<string> allowed, string field)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!allowed.Contains(value))
            throw new ReviewRuleException("error.not_one_of", 400, new TextKey(field), string.Join(", ", allowed)) { Limit = true };
        return value;
    }
}
