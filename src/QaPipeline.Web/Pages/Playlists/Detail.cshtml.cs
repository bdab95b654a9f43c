using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Library;
using QaPipeline.Web.People;

namespace QaPipeline.Web.Pages;

/// <summary>Open to agents too (a playlist made for them); the library decides which playlists and clips they see.</summary>
[Authorize]
public sealed class PlaylistModel(CoachingLibrary library, UserRepository users) : QaPageModel
{
    public PlaylistRow? Playlist { get; private set; }
    public IReadOnlyList<SharedClip> Clips { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var me = await users.Get(Viewer.Id, HttpContext.RequestAborted);
        (Playlist, Clips) = await library.Playlist(Viewer, id, me?.TeamName, HttpContext.RequestAborted);
        return Playlist is null ? NotFound() : Page();
    }
}
