using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Library;

namespace QaPipeline.Web.Pages;

public sealed class LibraryModel(CoachingLibrary library, RubricCatalog rubrics) : QaPageModel
{
    public LibraryQuery Query { get; private set; } = new();
    public bool Searched { get; private set; }
    public IReadOnlyList<LibraryHit> Hits { get; private set; } = [];
    public IReadOnlyList<PlaylistRow> Playlists { get; private set; } = [];
    public IReadOnlyList<string> Items { get; private set; } = [];

    public async Task OnGetAsync(string? item, string? verdict, string? phrase, string? agent, double? minScore, double? maxScore)
    {
        var ct = HttpContext.RequestAborted;
        Query = new LibraryQuery(item, verdict, phrase, agent, minScore, maxScore);
        Searched = Request.Query.Count > 0;
        if (Searched) Hits = await library.Search(Viewer, Query, 100, ct);
        Playlists = await library.Playlists(Viewer, null, ct);
        Items = rubrics.Active?.Items.Select(i => i.Id).ToList() ?? [];
    }

    public Task<IActionResult> OnPostCreateAsync(string name, string? forAgentId, string? forTeam) =>
        Act(() => library.CreatePlaylist(Viewer, name, forAgentId, forTeam, HttpContext.RequestAborted), () => RedirectToPage());
}
