namespace QaPipeline.Centre;

/// <summary>
/// The pipeline's admission sweep as code that does not run it sees it (the web app's retry button): a nudge so a call
/// put back in line is enqueued now rather than at the next sweep interval. The pipeline's <c>QueueSweeper</c> is it.
/// </summary>
public interface IQueueWake
{
    void Wake();
}
