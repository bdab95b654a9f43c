using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Calls;

/// <summary>One rubric item as the scorer stored it (scorecards.json), with the rubric's own wording.</summary>
public sealed record MachineItem(string Id, string Category, string Verdict, double Deduction, bool Fatal, string Reason,
    IReadOnlyList<EvidenceSpan> Evidence, string Description, double ItemDeduction);

public sealed record EvidenceSpan(string Speaker, double? Start, double? End, string Text, int Turn);

/// <summary>A transcript line; <see cref="Words"/> are Whisper's tokens with their low-probability ones marked (null for
/// imported transcripts without tokens, and when the text is masked: a token split of a masked number would leak it).</summary>
public sealed record SegmentView(int Turn, string Speaker, double? Start, double? End, string Text, double? Confidence, bool LowConfidence,
    IReadOnlyList<WordView>? Words = null);

public sealed record WordView(string Text, double Probability, bool Low);

public sealed class ReviewRow
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public long ScorecardId { get; init; }
    public long ReviewerId { get; init; }
    public string ReviewerName { get; init; } = "";
    public string Status { get; init; } = "";
    public double? FinalScore { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? SubmittedAt { get; init; }
    public DateTime? AcknowledgedAt { get; init; }
}

public sealed class HumanVerdictRow
{
    public long ReviewId { get; init; }
    public string ItemId { get; init; } = "";
    public string MachineVerdict { get; init; } = "";
    public string HumanVerdict { get; init; } = "";
    public double Deduction { get; init; }
    public string? Note { get; init; }
}

public sealed class CommentRow
{
    public long Id { get; init; }
    public string AuthorName { get; init; } = "";
    public double? AtSeconds { get; init; }
    public string Body { get; init; } = "";
    public DateTime CreatedAt { get; init; }
}

public sealed class DisputeRow
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public long ScorecardId { get; init; }
    public long? ReviewId { get; init; }
    public string RaisedByName { get; init; } = "";
    public string ItemId { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Status { get; init; } = "";
    public string? ResolvedByName { get; init; }
    public string? Resolution { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ResolvedAt { get; init; }
    public string? Team { get; init; }
    public string? AgentId { get; init; }
    /// <summary>What the agent claims the item should be (pass or na); null on disputes raised before claims existed.</summary>
    public string? ClaimedVerdict { get; init; }
    public string? VerdictBefore { get; init; }
    public string? VerdictAfter { get; init; }
    public double? ScoreBefore { get; init; }
    public double? ScoreAfter { get; init; }
}

/// <summary>Everything the call page shows, already filtered for the viewer: masked text, and no automatic
/// verdicts while the viewer still has to score this call blind in a calibration session.</summary>
public sealed record CallView(
    CallRecord Call,
    ScorecardRecord? Scorecard,
    double? PassScore,
    IReadOnlyList<MachineItem> Items,
    IReadOnlyList<SegmentView> Segments,
    double? DurationSeconds,
    IReadOnlyList<ReviewFlagRecord> Flags,
    ReviewRow? Draft,
    ReviewRow? LastSubmitted,
    IReadOnlyDictionary<string, HumanVerdictRow> DraftVerdicts,
    IReadOnlyDictionary<string, HumanVerdictRow> SubmittedVerdicts,
    IReadOnlyList<CommentRow> Comments,
    IReadOnlyList<DisputeRow> Disputes,
    bool Masked,
    bool Blind);

/// <summary>Reads a call for one viewer. Returns null when the call does not exist or the viewer may not read
/// it, so the caller answers 404 either way and never confirms that someone else's call exists.</summary>
public sealed class CallDetails(Database db, CallRepository calls, ResultRepository results, ReviewFlagRepository flags, RubricCatalog rubrics)
{
    public const double LowConfidence = 0.6;
    public const double LowWordProbability = 0.5;

    /// <summary>The call if the viewer may read it: the row-level rule of <see cref="Viewer.CanRead"/>, plus the calls
    /// of a calibration session the viewer takes part in (a monitor from another team scores them too).</summary>
    public async Task<CallRecord?> Readable(Viewer viewer, long callId, CancellationToken ct = default)
    {
        if (await calls.Get(callId, ct) is not { } call) return null;
        if (viewer.CanRead(call.Team, call.AgentId)) return call;
        var participant = await db.Run(c => c.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM calibration_participants p JOIN calibration_calls cc ON cc.session_id = p.session_id
            WHERE p.user_id = @userId AND cc.call_id = @callId
            """, new { userId = viewer.Id, callId }), ct);
        return participant > 0 && !viewer.IsAgent ? call : null;
    }

    /// <summary>True while the viewer takes part in a calibration session with this call and has not submitted:
    /// they must not see the automatic scores or anyone's verdicts yet.</summary>
    public Task<bool> IsBlind(Viewer viewer, long callId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<bool>("""
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM calibration_participants p
                JOIN calibration_calls cc ON cc.session_id = p.session_id
                JOIN calibration_sessions s ON s.id = p.session_id
                WHERE p.user_id = @userId AND cc.call_id = @callId AND p.submitted_at IS NULL AND s.status = 'scoring')
            THEN 1 ELSE 0 END
            """, new { userId = viewer.Id, callId }), ct);

    public async Task<CallView?> Load(Viewer viewer, long callId, CancellationToken ct = default)
    {
        if (await Readable(viewer, callId, ct) is not { } call) return null;
        var blind = await IsBlind(viewer, callId, ct);
        var scorecard = await results.CurrentScorecard(callId, ct);
        var transcript = await results.Transcript(callId, ct);
        var masked = !viewer.SeesPersonalData;
        var (items, passScore) = scorecard is null ? ([], null) : ParseItems(scorecard, masked);
        var segments = transcript is null ? [] : Segments(transcript.Json, masked);
        var duration = await db.Run(c => c.ExecuteScalarAsync<double?>("SELECT duration_s FROM acoustic_facts WHERE call_id = @callId", new { callId }), ct)
                       ?? segments.Select(s => s.End).Max();
        var flagRows = await flags.ForCall(callId, ct);
        var (reviews, verdicts, comments, disputes) = await db.Run(async c =>
        {
            using var grid = await c.QueryMultipleAsync("""
                SELECT r.id, r.call_id, r.scorecard_id, r.reviewer_id, u.display_name AS reviewer_name, r.status, r.final_score,
                       r.started_at, r.submitted_at, r.acknowledged_at
                FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.call_id = @callId ORDER BY r.id;
                SELECT v.review_id, v.item_id, v.machine_verdict, v.human_verdict, v.deduction, v.note
                FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id WHERE r.call_id = @callId;
                SELECT m.id, u.display_name AS author_name, m.at_seconds, m.body, m.created_at
                FROM comments m JOIN users u ON u.id = m.author_id WHERE m.call_id = @callId ORDER BY m.at_seconds, m.id;
                SELECT d.id, d.call_id, d.scorecard_id, d.review_id, u.display_name AS raised_by_name, d.item_id, d.reason, d.status,
                       ru.display_name AS resolved_by_name, d.resolution, d.created_at, d.resolved_at, d.claimed_verdict,
                       d.verdict_before, d.verdict_after, d.score_before, d.score_after
                FROM disputes d JOIN users u ON u.id = d.raised_by LEFT JOIN users ru ON ru.id = d.resolved_by
                WHERE d.call_id = @callId ORDER BY d.id;
                """, new { callId });
            return ((await grid.ReadAsync<ReviewRow>()).AsList(), (await grid.ReadAsync<HumanVerdictRow>()).AsList(),
                (await grid.ReadAsync<CommentRow>()).AsList(), (await grid.ReadAsync<DisputeRow>()).AsList());
        }, ct);
        var draft = reviews.LastOrDefault(r => r.Status == "draft");
        var submitted = reviews.LastOrDefault(r => r.Status == "submitted");
        Dictionary<string, HumanVerdictRow> VerdictsOf(ReviewRow? r) =>
            r is null ? [] : verdicts.Where(v => v.ReviewId == r.Id).ToDictionary(v => v.ItemId);
        if (blind)
            // Blind scoring: the participant sees the recording and transcript, nothing anyone (or the machine) decided.
            return new CallView(call, null, null, [], segments, duration, [], null, null, new Dictionary<string, HumanVerdictRow>(),
                new Dictionary<string, HumanVerdictRow>(), [], [], masked, true);
        if (masked)
            comments = comments.Select(m => new CommentRow { Id = m.Id, AuthorName = m.AuthorName, AtSeconds = m.AtSeconds, Body = PersonalDataMask.Mask(m.Body), CreatedAt = m.CreatedAt }).ToList();
        return new CallView(call, scorecard, passScore, items, segments, duration, flagRows, draft, submitted,
            VerdictsOf(draft), VerdictsOf(submitted), comments, disputes, masked, false);
    }

    public (IReadOnlyList<MachineItem> Items, double? PassScore) ParseItems(ScorecardRecord scorecard, bool masked)
    {
        // The scoring core's own reader: the web app sees the records the scorer wrote, not a second schema.
        var card = ScorecardJson.Parse(scorecard.Json);
        var rubric = rubrics.Find(scorecard.RubricId, scorecard.RubricVersion);
        var items = card.Items.Select(item =>
        {
            var evidence = item.Evidence.Select(e => new EvidenceSpan(e.Speaker.ToString().ToLowerInvariant(), e.Start, e.End,
                masked ? PersonalDataMask.Mask(e.Text) : e.Text, e.Turn)).ToList();
            var rubricItem = rubric?.Items.FirstOrDefault(i => i.Id == item.Id);
            return new MachineItem(item.Id, item.Category, item.Verdict.ToString().ToLowerInvariant(), item.Deduction, item.Fatal,
                item.Reason, evidence, rubricItem?.Description ?? item.Id, rubricItem?.Deduction ?? item.Deduction);
        }).ToList();
        return (items, card.PassScore);
    }

    public static IReadOnlyList<SegmentView> Segments(string transcriptJson, bool masked)
    {
        var transcript = TranscriptFormat.Parse(transcriptJson);
        return transcript.Segments.Select((s, i) =>
        {
            var text = masked ? PersonalDataMask.Mask(s.Text) : s.Text;
            var words = s.Tokens is { Count: > 0 } tokens && text == s.Text
                ? tokens.Select(t => new WordView(t.Text, t.Probability, t.Probability < LowWordProbability)).ToList()
                : null;
            return new SegmentView(i, s.Speaker.ToString().ToLowerInvariant(), s.Start, s.End, text, s.Confidence,
                s.Confidence is { } c && c < LowConfidence, words);
        }).ToList();
    }
}
