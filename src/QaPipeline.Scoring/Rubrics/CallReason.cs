using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>
/// A call reason (contact driver, 业务类型/来电原因): why the customer called — 退货, 退款, 物流查询, 投诉, 发票 —
/// detected by the same phrase matching as the items, tagged on the call, never deducting. <see cref="Speaker"/>
/// null means either party's words count (the customer says 我想退货, or the agent says 帮您办理退货).
/// </summary>
public sealed record CallReason(string Id, string Name, SpeakerRole? Speaker, PhraseSet Phrases, string? Source);
