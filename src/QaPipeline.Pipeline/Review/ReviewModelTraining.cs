using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Centre.Review;
using QaPipeline.Learning.Model;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Review;

/// <summary>
/// The recurring Hangfire job of the learning loop: loads every human decision on an automatic item verdict and lets
/// <see cref="Retraining.RetrainIfDue"/> train, evaluate on held-out reviews and promote or keep. Safe to run twice:
/// the second run finds too few new reviews (not due). Models live under <see cref="PipelineOptions.ReviewModelFolder"/>.
/// </summary>
public sealed class ReviewModelTraining(ReviewHistory history, PipelineOptions options, TimeProvider clock,
    AuditLog audit, ILogger<ReviewModelTraining> log)
{
    public const string JobId = "learning.review-priority-retrain";

    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    [Hangfire.AutomaticRetry(Attempts = 0)]
    public async Task<RetrainOutcome> Run(CancellationToken ct = default)
    {
        var reviews = await history.LabelledVerdicts(ct);
        var registry = new ModelRegistry(options.ReviewModelFolder);
        // Training is CPU work of a few seconds; off the caller's thread so a web host's request threads stay free.
        var outcome = await Task.Run(() => Retraining.RetrainIfDue(reviews, registry, options.Learning, clock.GetUtcNow()), ct);
        log.LogInformation("review-priority model: {Status} ({Reason}); {Reviews} labelled verdicts, in service: {Current}",
            outcome.Status, outcome.Reason, reviews.Count, outcome.Current?.Version ?? "none (rule-based priority)");
        if (outcome.Candidate is { } card)
            await audit.Write("pipeline", outcome.Status == RetrainStatus.Promoted ? "model_promoted" : "model_kept", "review_model",
                card.Version, outcome.Reason, clock.GetUtcNow().UtcDateTime, ct);
        return outcome;
    }
}
