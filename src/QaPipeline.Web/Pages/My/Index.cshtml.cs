using QaPipeline.Web.Library;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class MyCallsModel(AgentCalls calls, CoachingLibrary library, UserRepository users) : QaPageModel
{
    public IReadOnlyList<AgentCallRow> Calls { get; private set; } = [];
    public IReadOnlyList<TrendPoint> Weekly { get; private set; } = [];
    public IReadOnlyList<PlaylistRow> Playlists { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Calls = await calls.Recent(Viewer, 200, ct);
        Weekly = AgentCalls.Weekly(Calls);
        var me = await users.Get(Viewer.Id, ct);
        Playlists = await library.Playlists(Viewer, me?.TeamName, ct);
    }
}
