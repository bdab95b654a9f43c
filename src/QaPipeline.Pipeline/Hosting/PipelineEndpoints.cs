using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre.Access;
using QaPipeline.Pipeline.Ingest;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>The pipeline's HTTP surface, mapped by the host that owns Hangfire: the upload and call-status API and
/// the jobs dashboard.</summary>
public static class PipelineEndpoints
{
    /// <summary>Upload and call-status API under /api, the Hangfire dashboard under /hangfire and Prometheus text under
    /// /metrics. Who may call each is a policy of <see cref="CallerAccess"/> (the host registers it once with
    /// AddCallerAccess): uploads for machines with the API key, everything else for operators.</summary>
    public static IEndpointRouteBuilder MapPipeline(this WebApplication app)
    {
        if (!CallerAccess.IsRegistered(app.Services))
            throw new InvalidOperationException("MapPipeline needs the callers' schemes and policies: call services.AddCallerAccess() (the web app's AddWebApp does)");
        // Hangfire's own filters are left empty: the endpoint's policy is the one check.
        app.MapHangfireDashboardWithAuthorizationPolicy(CallerAccess.Operators, "/hangfire", new DashboardOptions
        {
            Authorization = [],
            DashboardTitle = "QaPipeline jobs",
        });
        // Prometheus text for the operator's monitoring (QA_METRICS_PORT serves the same figures on a port of their own
        // for nodes without a web host).
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(CallerAccess.Operators);
        app.MapPost("/api/calls", UploadEndpoint.Handle).RequireAuthorization(CallerAccess.Uploaders);
        var api = app.MapGroup("/api").RequireAuthorization(CallerAccess.Operators);
        api.MapGet("/calls", async (string? status, int? limit, CallRepository calls) =>
            Results.Json((await calls.List(status, Math.Clamp(limit ?? 100, 1, 1000))).Select(CallJson.Summary)));
        api.MapGet("/calls/{id:long}", async (long id, CallRepository calls, ResultRepository results, ReviewFlagRepository flags) =>
            await calls.Get(id) is { } call
                ? Results.Json(CallJson.Detail(call, await calls.Stages(id), await results.ScorecardHistory(id), await flags.ForCall(id)))
                : Results.NotFound(new { error = $"no call {id}" }));
        api.MapPost("/calls/{id:long}/retry", async (long id, HttpContext http, CallRepository calls, AuditLog audit, QueueSweeper sweeper, TimeProvider clock) =>
        {
            if (!await calls.Retry(id, personWaiting: true)) return Results.Conflict(new { error = $"call {id} is not parked as failed" });
            await audit.Write(http.User.Identity?.Name ?? "admin", "retry", "call", id.ToString(), null, clock.GetUtcNow().UtcDateTime);
            sweeper.Wake();
            return Results.Ok(new { call_id = id, status = CallStatus.Pending });
        });
        api.MapGet("/pipeline/status", async (CallRepository calls, ReviewFlagRepository flags) =>
            Results.Json(new
            {
                calls = await calls.CountByStatus(),
                review_flags = await flags.CountByReason(),
                stages = (await calls.StageTimings()).Select(s => new
                {
                    stage = s.Stage, state = s.State, calls = s.Calls, attempts = s.Attempts,
                    mean_ms = Math.Round(s.MeanMs ?? 0, 1), max_ms = s.MaxMs,
                }),
            }));
        return app;
    }
}
