using System.Text.Json.Serialization;
using QaPipeline.Scoring;
using QaPipeline.Storage;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Calls;

/// <summary>One rubric item as the scorer stored it (scorecards.json), with the rubric's own wording.</summary>
public sealed record MachineItem(string Id, string Category, Verdict Verdict, double Deduction, bool Fatal, string Reason,
    IReadOnlyList<EvidenceSpan> Evidence, string Description, double ItemDeduction)
{
    /// <summary>Where the scorer looked for a phrase it did not find (a missing-phrase fail): the page shows this
    /// instead of the lines it searched, which are not evidence of anything.</summary>
    public SearchWindow? Window { get; init; }

    /// <summary>The rubric's description in each UI language where it gives one (<see cref="Ui.Description"/>).</summary>
    public string? DescriptionEn { get; init; }
    public string? DescriptionZh { get; init; }

    /// <summary>The evidence that decided the verdict: the matched words, or whole lines where a line is the evidence
    /// (a silence, a fast line). Lines listed only as the context of a search that found nothing are left out.</summary>
    public IEnumerable<EvidenceSpan> Deciding => Evidence.Where(e => e.Words is not null || Window is null);
}

/// <summary>One piece of evidence; <see cref="Words"/> is the part of <see cref="Text"/> the rubric phrase matched.</summary>
public sealed record EvidenceSpan([property: JsonConverter(typeof(DomainWordConverter<SpeakerRole>))] SpeakerRole Speaker, double? Start, double? End, string Text, int Turn, string? Words = null);

/// <summary>A transcript line; <see cref="Words"/> are Whisper's tokens with their low-probability ones marked (null for
/// imported transcripts without tokens, and when the text is masked: a token split of a masked number would leak it).</summary>
public sealed record SegmentView(int Turn, [property: JsonConverter(typeof(DomainWordConverter<SpeakerRole>))] SpeakerRole Speaker, double? Start, double? End, string Text, double? Confidence, bool LowConfidence,
    IReadOnlyList<WordView>? Words = null);

public sealed record WordView(string Text, double Probability, bool Low);

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
    bool Blind)
{
    /// <summary>On a mono call: how the audio stage told agent from customer (or why it could not).</summary>
    public QaPipeline.Scoring.Acoustics.SpeakerSeparationFacts? Separation { get; init; }

    /// <summary>The call's finalised reviews as versions, oldest first (who, when, what changed, reopens).</summary>
    public IReadOnlyList<QaPipeline.Web.Reviews.ReviewVersion> History { get; init; } = [];

    /// <summary>The latest version nobody reopened: the call is closed to new claims.</summary>
    public bool ReviewClosed => History.Count > 0 && History[^1].Closed && Draft is null;
}

/// <summary>Reads a call for one viewer. Returns null when the call does not exist or the viewer may not read
/// it, so the caller answers 404 either way and never confirms that someone else's call exists.</summary>
public sealed class CallDetails(CallRepository calls, ResultRepository results, ReviewFlagRepository flags, ReviewRepository reviewRecords,
    CalibrationRepository calibration, RubricCatalog rubrics)
{
    public const double LowConfidence = 0.6;
    public const double LowWordProbability = 0.5;

    /// <summary>The call if the viewer may read it: the row-level rule of <see cref="Viewer.CanRead"/>, plus the calls
    /// of a calibration session the viewer takes part in (a monitor from another team scores them too).</summary>
    public async Task<CallRecord?> Readable(Viewer viewer, long callId, CancellationToken ct = default)
    {
        if (await calls.Get(callId, ct) is not { } call) return null;
        if (viewer.CanRead(call.Team, call.AgentId)) return call;
        var participant = await calibration.IsParticipant(viewer.Id, callId, ct);
        return participant && !viewer.IsAgent ? call : null;
    }

    /// <summary>True while the viewer takes part in a calibration session with this call and has not submitted:
    /// they must not see the automatic scores or anyone's verdicts yet.</summary>
    public Task<bool> IsBlind(Viewer viewer, long callId, CancellationToken ct = default) =>
        calibration.IsScoringBlind(viewer.Id, callId, ct);

    public async Task<CallView?> Load(Viewer viewer, long callId, CancellationToken ct = default)
    {
        if (await Readable(viewer, callId, ct) is not { } call) return null;
        var blind = await IsBlind(viewer, callId, ct);
        var scorecard = await results.CurrentScorecard(callId, ct);
        var transcript = await results.Transcript(callId, ct);
        var masked = !viewer.SeesPersonalData;
        var (items, passScore) = scorecard is null ? ([], null) : ParseItems(scorecard, masked);
        var segments = transcript is null ? [] : Segments(transcript.Json, masked);
        var duration = await results.DurationSeconds(callId, ct)
                       ?? segments.Select(s => s.End).Max();
        var flagRows = await flags.ForCall(callId, ct);
        var (reviews, verdicts, comments, disputes) = await reviewRecords.ForCall(callId, ct);
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
        var facts = await results.AcousticFactsJson(callId, ct);
        return new CallView(call, scorecard, passScore, items, segments, duration, flagRows, draft, submitted,
            VerdictsOf(draft), VerdictsOf(submitted), comments, disputes, masked, false)
        {
            Separation = facts is null ? null : QaPipeline.Scoring.Acoustics.AcousticFactsJson.Parse(facts).Separation,
            History = QaPipeline.Web.Reviews.ReviewVersions.Of(reviews, verdicts, disputes, scorecard?.Score, masked),
        };
    }

    public (IReadOnlyList<MachineItem> Items, double? PassScore) ParseItems(ScorecardRecord scorecard, bool masked)
    {
        // The scoring core's own reader: the web app sees the records the scorer wrote, not a second schema.
        var card = ScorecardJson.Parse(scorecard.Json);
        var rubric = rubrics.Find(scorecard.RubricId, scorecard.RubricVersion);
        var items = card.Items.Select(item =>
        {
            // Scorecards stored before the scorer kept the matched words have only the phrase: the whole line stands in.
            var evidence = item.Evidence.Select(e => new EvidenceSpan(e.Speaker, e.Start, e.End,
                masked ? PersonalDataMask.Mask(e.Text) : e.Text, e.Turn,
                e.Words is { } w ? (masked ? PersonalDataMask.Mask(w) : w) : e.Phrase is null ? null : masked ? PersonalDataMask.Mask(e.Text) : e.Text)).ToList();
            var rubricItem = rubric?.Items.FirstOrDefault(i => i.Id == item.Id);
            return new MachineItem(item.Id, item.Category, item.Verdict, item.Deduction, item.Fatal,
                item.Reason, evidence, rubricItem?.Description ?? item.Id, rubricItem?.Deduction ?? item.Deduction)
            {
                Window = item.Window, DescriptionEn = rubricItem?.DescriptionEn, DescriptionZh = rubricItem?.DescriptionZh,
            };
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
            return new SegmentView(i, s.Speaker, s.Start, s.End, text, s.Confidence,
                s.Confidence is { } c && c < LowConfidence, words);
        }).ToList();
    }
}
