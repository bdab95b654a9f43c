using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Library;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class LibraryModel(CoachingLibrary library, RubricCatalog rubrics) : QaPageModel
{
    public LibraryQuery Query { get; private set; } = new();
    public bool Searched { get; private set; }
    public IReadOnlyList<LibraryHit> Hits { get; private set; } = [];
    public IReadOnlyList<PlaylistRow> Playlists { get; private set; } = [];
    public IReadOnlyList<string> Items { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? item, string? verdict, string? phrase, string? agent, double? minScore, double? maxScore)
    {
        var ct = HttpContext.RequestAborted;
        if (!ModelState.IsValid) return Refuse(new ReviewRuleException("error.library_search_invalid", 400));
        try { Query = LibraryQueries.Checked(item, verdict, phrase, agent, minScore, maxScore); }
        catch (ReviewRuleException e) { return Refuse(e); }
        Searched = Request.Query.Count > 0;
        if (Searched) Hits = await library.Search(Viewer, Query, 100, ct);
        Playlists = await library.Playlists(Viewer, null, ct);
        Items = rubrics.Active?.Items.Select(i => i.Id).ToList() ?? [];
        return Page();
    }

    public Task<IActionResult> OnPostCreateAsync(string name, string? forAgentId, string? forTeam) =>
        Act(() => library.CreatePlaylist(Viewer, name, forAgentId, forTeam, HttpContext.RequestAborted), () => RedirectToPage());
}
