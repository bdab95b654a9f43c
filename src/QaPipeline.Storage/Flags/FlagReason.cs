namespace QaPipeline.Storage;

/// <summary>
/// Why a call goes to a human reviewer. The one list of reasons, in the order monitors work them (a reason's
/// <see cref="Order"/> is its queue priority), each with the code stored in <c>review_flags.reason</c> (every
/// engine's CHECK lists the same codes) and the key of its label in the UI.
/// </summary>
public sealed class FlagReason
{
    public static readonly FlagReason Fatal = new("fatal", 0);
    public static readonly FlagReason ReviewItem = new("review_item", 1);
    public static readonly FlagReason LowAsrConfidence = new("low_asr_confidence", 2);
    public static readonly FlagReason LowScore = new("low_score", 3);

    /// <summary>The promoted review-priority model expects a reviewer to overturn one of the call's verdicts.</summary>
    public static readonly FlagReason ModelDisagreement = new("model_disagreement", 4);

    public static readonly FlagReason RandomSample = new("random_sample", 5);

    /// <summary>Most serious first.</summary>
    public static readonly IReadOnlyList<FlagReason> InWorkingOrder = [Fatal, ReviewItem, LowAsrConfidence, LowScore, ModelDisagreement, RandomSample];

    private FlagReason(string code, int order) => (Code, Order) = (code, order);

    public string Code { get; }

    public int Order { get; }

    /// <summary>The key of the reason's label in the UI's string table.</summary>
    public string LabelKey => "flag." + Code;

    /// <summary>The reason of a stored code; null for a code this build does not know.</summary>
    public static FlagReason? Find(string? code) => InWorkingOrder.FirstOrDefault(r => r.Code == code);

    /// <summary>Where a stored code sorts: unknown codes last.</summary>
    public static int OrderOf(string? code) => Find(code)?.Order ?? InWorkingOrder.Count;

    public override string ToString() => Code;

    public static implicit operator string(FlagReason reason) => reason.Code;
}
