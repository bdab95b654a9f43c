using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calibration;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Dashboards;
using QaPipeline.Web.Disputes;
using QaPipeline.Web.Library;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;
using QaPipeline.Scoring;

namespace QaPipeline.Web.Api;

public sealed record SignInRequest(string Login, string Password);
public sealed record VerdictRequest(string Item, string Verdict, string? Reason);
public sealed record CommentRequest(double? At, string Body);
public sealed record DisputeRequest(string Item, string Reason, string? Claim = null);
public sealed record DisputeDecision(bool Uphold, string Resolution);
public sealed record ReopenRequest(string Reason);
public sealed record PlaylistRequest(string Name, string? ForAgentId, string? ForTeam);
public sealed record ClipRequest(long CallId, double Start, double End, string Example, string? Note);
public sealed record CalibrationRequest(string Name, long[] Calls, long[] Participants);
public sealed record CalibrationScores(long CallId, Dictionary<string, string> Verdicts);
public sealed record AgreedRequest(long CallId, string Item, string Verdict);

/// <summary>
/// The JSON API under /api/v1: the same operations as the pages, through the same services (so the same
/// row-level rules). Cookie-authenticated; every POST must carry the anti-forgery token from GET /api/v1/session
/// in the X-CSRF-TOKEN header. Refusals are {"error": "..."} with 400/403/404/409.
/// </summary>
internal static class WebApi
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !await WebHosting.CsrfValid(http))
                return ReviewRuleException.Answer("error.csrf_invalid", 400);
            try { return await next(ctx); }
            catch (ReviewRuleException e) { return e.ToResult(); }
        });

        app.MapPost("/api/v1/session", async (SignInRequest body, HttpContext http, SignIn signIn) =>
        {
            var (outcome, user) = await signIn.Attempt(body.Login ?? "", body.Password ?? "", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
            if (outcome == SignIn.Outcome.Locked)
                return ReviewRuleException.Answer("error.account_locked", 429);
            if (user is null) return ReviewRuleException.Answer("error.wrong_password", 401);
            await SignIn.SignInCookie(http, user);
            return Results.Ok(new { login = user.Login });
        }).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RequestGuards.SignInPolicy);

        api.MapGet("/session", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var viewer = http.RequiredViewer();
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new { id = viewer.Id, login = viewer.Login, name = viewer.DisplayName, roles = viewer.Roles.Order(), agent_id = viewer.AgentId, teams = viewer.Teams, csrf_token = tokens.RequestToken });
        });

        api.MapGet("/queue", async (HttpContext http, ReviewQueue queue, string? team, string? agent, string? queueName, DateTime? from, DateTime? to, string? item, string? reason, string? band, int? page, string? order, string? callReason) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor)) return ReviewRuleException.Answer("error.monitors_only", 403);
            var filter = QueueFilter.Checked(team, agent, queueName, from, to, item, reason, band, page ?? 0, order, toIsInclusiveDay: false)
                with { CallReason = InputLimits.OptionalName(callReason, "field.call_reason") };
            var result = await queue.Page(viewer, filter, http.RequestAborted);
            return Results.Ok(new
            {
                calls = result.Rows, more = result.More,
                ordering = new { order = result.Ordering.Order, source = result.Ordering.Source, reason = result.Ordering.Reason, model_version = result.Ordering.ModelVersion },
            });
        });
        api.MapGet("/disputes", async (HttpContext http, ReviewQueue queue) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor)) return ReviewRuleException.Answer("error.monitors_only", 403);
            return Results.Ok(await queue.OpenDisputes(viewer, http.RequestAborted));
        });

        api.MapGet("/calls/{id:long}", async (long id, HttpContext http, CallDetails details) =>
            await details.Load(http.RequiredViewer(), id, http.RequestAborted) is { } view
                ? Results.Ok(CallJson(view))
                : ReviewRuleException.Answer("error.no_call", 404, id));
        api.MapPost("/calls/{id:long}/claim", async (long id, HttpContext http, ClaimReview review) =>
            Results.Ok(new { review_id = await review.Claim(http.RequiredViewer(), id, http.RequestAborted) }));
        api.MapPost("/calls/{id:long}/release", async (long id, HttpContext http, ClaimReview review) =>
        {
            await review.Release(http.RequiredViewer(), id, http.RequestAborted);
            return Results.Ok(new { released = id });
        });
        api.MapPost("/calls/{id:long}/reopen", async (long id, ReopenRequest body, HttpContext http, ReopenReview review) =>
            Results.Ok(new { reopened_version = await review.Reopen(http.RequiredViewer(), id, body.Reason, http.RequestAborted) }));
        api.MapPost("/calls/{id:long}/verdicts", async (long id, VerdictRequest body, HttpContext http, DecideItem review) =>
        {
            await review.Decide(http.RequiredViewer(), id, body.Item, body.Verdict, body.Reason, http.RequestAborted);
            return Results.Ok(new { item = body.Item, verdict = body.Verdict });
        });
        api.MapPost("/calls/{id:long}/finalise", async (long id, HttpContext http, FinaliseReview review) =>
            Results.Ok(new { final_score = await review.Finalise(http.RequiredViewer(), id, http.RequestAborted) }));
        api.MapPost("/calls/{id:long}/comments", async (long id, CommentRequest body, HttpContext http, CallComments review) =>
        {
            await review.Comment(http.RequiredViewer(), id, body.At, body.Body, http.RequestAborted);
            return Results.Ok(new { added = true });
        });
        api.MapPost("/calls/{id:long}/acknowledge", async (long id, HttpContext http, AcknowledgeReview review) =>
        {
            await review.Acknowledge(http.RequiredViewer(), id, http.RequestAborted);
            return Results.Ok(new { acknowledged = id });
        });
        api.MapPost("/calls/{id:long}/disputes", async (long id, DisputeRequest body, HttpContext http, RaiseDispute disputes) =>
            Results.Ok(new { dispute_id = await disputes.Raise(http.RequiredViewer(), id, body.Item, body.Reason, http.RequestAborted, body.Claim) }));
        api.MapPost("/disputes/{id:long}/decision", async (long id, DisputeDecision body, HttpContext http, DecideDispute disputes) =>
        {
            await disputes.Decide(http.RequiredViewer(), id, body.Uphold, body.Resolution, http.RequestAborted);
            return Results.Ok(new { dispute_id = id, status = body.Uphold ? "upheld" : "rejected" });
        });

        api.MapGet("/my/calls", async (HttpContext http, AgentCalls calls) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.IsAgent) return ReviewRuleException.Answer("error.agents_only", 403);
            var rows = await calls.Recent(viewer, 500, http.RequestAborted);
            return Results.Ok(new { calls = rows, weekly = AgentCalls.Weekly(rows) });
        });

        api.MapGet("/library", async (HttpContext http, CoachingLibrary library, string? item, string? verdict, string? phrase, string? agent, double? minScore, double? maxScore) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor, Role.Trainer)) return ReviewRuleException.Answer("error.trainers_only", 403);
            return Results.Ok(await library.Search(viewer, LibraryQueries.Checked(item, verdict, phrase, agent, minScore, maxScore), 100, http.RequestAborted));
        });
        api.MapGet("/playlists", async (HttpContext http, CoachingLibrary library) =>
            Results.Ok(await library.Playlists(http.RequiredViewer(), null, http.RequestAborted)));
        api.MapPost("/playlists", async (PlaylistRequest body, HttpContext http, CoachingLibrary library) =>
            Results.Ok(new { playlist_id = await library.CreatePlaylist(http.RequiredViewer(), body.Name, body.ForAgentId, body.ForTeam, http.RequestAborted) }));
        api.MapPost("/playlists/{id:long}/clips", async (long id, ClipRequest body, HttpContext http, CoachingLibrary library, CallDetails details) =>
            Results.Ok(new { clip_id = await library.AddClip(http.RequiredViewer(), id, body.CallId, body.Start, body.End, body.Example, body.Note, details, http.RequestAborted) }));

        api.MapGet("/calibration/{id:long}", async (long id, HttpContext http, CalibrationSessions sessions) =>
            await sessions.Load(http.RequiredViewer(), id, http.RequestAborted) is { } view
                ? Results.Ok(new
                {
                    session = view.Session, participants = view.Participants.Select(p => new { p.UserId, p.Login, submitted = p.SubmittedAt is not null }),
                    calls = view.Calls.Select(c => c.Id), my_scores = view.MyScores, grid = view.Grid, report = view.Report,
                    agreement = view.Agreement is { } a ? new { fleiss_kappa = a.Fleiss?.Kappa, krippendorff_alpha = a.Krippendorff.Alpha, notes = a.Notes } : null,
                })
                : ReviewRuleException.Answer("error.no_calibration_session", 404, id));
        api.MapPost("/calibration", async (CalibrationRequest body, HttpContext http, CalibrationSessions sessions) =>
            Results.Ok(new { session_id = await sessions.Create(http.RequiredViewer(), body.Name, body.Calls, body.Participants, http.RequestAborted) }));
        api.MapPost("/calibration/{id:long}/scores", async (long id, CalibrationScores body, HttpContext http, CalibrationSessions sessions) =>
        {
            await sessions.Score(http.RequiredViewer(), id, body.CallId, body.Verdicts, http.RequestAborted);
            return Results.Ok(new { saved = body.Verdicts.Count });
        });
        api.MapPost("/calibration/{id:long}/submit", async (long id, HttpContext http, CalibrationSessions sessions) =>
        {
            await sessions.Submit(http.RequiredViewer(), id, http.RequestAborted);
            return Results.Ok(new { submitted = true });
        });
        api.MapPost("/calibration/{id:long}/reveal", async (long id, HttpContext http, CalibrationSessions sessions) =>
        {
            await sessions.Reveal(http.RequiredViewer(), id, http.RequestAborted);
            return Results.Ok(new { revealed = true });
        });
        api.MapPost("/calibration/{id:long}/agreed", async (long id, AgreedRequest body, HttpContext http, CalibrationSessions sessions) =>
        {
            await sessions.RecordAgreed(http.RequiredViewer(), id, body.CallId, body.Item, body.Verdict, http.RequestAborted);
            return Results.Ok(new { recorded = true });
        });

        api.MapGet("/dashboard", async (HttpContext http, QaDashboard dashboard, string? team, DateTime? from, DateTime? to) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor, Role.Trainer, Role.QaLead)) return ReviewRuleException.Answer("error.not_for_agents", 403);
            var (since, until) = QaDashboard.CheckedRange(from, to);
            var d = await dashboard.Load(viewer, InputLimits.OptionalName(team, "field.team"), since, until, http.RequestAborted);
            return Results.Ok(new
            {
                d.From, d.To, group_by = d.GroupBy,
                score_basis = "human final score where reviewed (upheld disputes included), else automatic",
                pass_marks = d.PassMarks.Select(m => new { rubric_id = m.RubricId, version = m.Version, pass_score = m.PassScore }),
                fallback_pass_percent = d.FallbackPassPercent,
                weekly = d.Weekly.Select(w => new { week = w.Week, group = w.Group, calls = w.Calls, avg_percent = w.AvgPercent, pass_rate = w.PassRate }),
                agents = d.Agents.Select(a => new
                {
                    agent_id = a.AgentId, agent_name = a.AgentName, calls = a.Calls, reviewed = a.Reviewed, avg_percent = a.AvgPercent,
                    passed = a.Passed, pass_rate = a.PassRate, upheld_disputes = a.UpheldDisputes,
                }),
                item_failures = d.ItemFailures, monitoring = d.Monitoring, agreement = d.Agreement,
            });
        });
    }

    public static object CallJson(CallView v) => new
    {
        call = new
        {
            v.Call.Id, v.Call.ExternalCallId, v.Call.AgentId, v.Call.Team, v.Call.Queue, v.Call.Direction, v.Call.StartedAt, v.Call.Status,
            v.Call.Language, v.Call.LanguageSource, v.Call.AgentChannel, v.Call.RubricOverride,
        },
        blind = v.Blind,
        masked = v.Masked,
        automatic = v.Scorecard is { } s ? new { s.RubricId, s.RubricVersion, s.RoutingRule, s.Score, s.MaxScore, s.Fatal, pass_score = v.PassScore } : null,
        items = v.Items.Select(i => new
        {
            i.Id, i.Category, i.Description, automatic = i.Verdict.Word(), i.Deduction, i.Fatal, i.Reason, i.Evidence,
            draft = v.DraftVerdicts.TryGetValue(i.Id, out var d) ? new { d.HumanVerdict, d.Note } : null,
            human = v.SubmittedVerdicts.TryGetValue(i.Id, out var h) ? new { h.HumanVerdict, h.Note } : null,
        }),
        review = v.LastSubmitted is { } r
            ? new { r.Id, version = v.History.Count, r.ReviewerName, r.FinalScore, r.SubmittedAt, r.AcknowledgedAt, closed = v.ReviewClosed, r.ReopenedAt, r.ReopenReason }
            : null,
        review_history = v.History.Select(h => new
        {
            h.Version, review_id = h.ReviewId, reviewer = h.ReviewerName, started_at = h.StartedAt, submitted_at = h.SubmittedAt,
            score_before = h.ScoreBefore, final_score = h.FinalScore, h.Changes, upheld_disputes = h.UpheldDisputes.Select(d => new
            {
                d.Id, d.ItemId, verdict_before = d.VerdictBefore, verdict_after = d.VerdictAfter, score_before = d.ScoreBefore, score_after = d.ScoreAfter,
                resolved_by = d.ResolvedByName, resolved_at = d.ResolvedAt,
            }),
            acknowledged_at = h.AcknowledgedAt, reopened_at = h.ReopenedAt, reopened_by = h.ReopenedByName, reopen_reason = h.ReopenReason, dispute_decision_only = h.DisputeDecisionOnly,
        }),
        claimed_by = v.Draft?.ReviewerName,
        transcript = v.Segments,
        flags = v.Flags.Select(f => new { f.Reason, f.Detail, f.Status }),
        comments = v.Comments,
        disputes = v.Disputes.Select(d => new
        {
            d.Id, d.ItemId, d.Reason, claimed = d.ClaimedVerdict, d.Status, d.Resolution, d.RaisedByName, d.ResolvedByName, d.CreatedAt, d.ResolvedAt,
            verdict_before = d.VerdictBefore, verdict_after = d.VerdictAfter, score_before = d.ScoreBefore, score_after = d.ScoreAfter,
        }),
    };
}
