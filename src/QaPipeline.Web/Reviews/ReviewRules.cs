namespace QaPipeline.Web.Reviews;

/// <summary>A request the rules refuse: the message is shown to the user (and returned by the API) as is.</summary>
public sealed class ReviewRuleException(string message, int status = 409) : Exception(message)
{
    public int Status { get; } = status;
}

public static class Verdicts
{
    public static readonly string[] Human = ["pass", "fail", "na"];
    public static bool IsHuman(string? v) => v is not null && Array.IndexOf(Human, v) >= 0;
}
