using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Rubrics;

/// <summary>The loader's verdict on a candidate: the rubric, or its error with the line it names.</summary>
public sealed record RubricCheck(Rubric? Rubric, string? Error, int? Line);

/// <summary>One line of a diff against the active rubric: ' ' same, '-' only in the active one, '+' only in the candidate.</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>What the shared rule editor shows: the text, the loader's verdict on it and its diff against what is in force.</summary>
public sealed record RulesText(string Text, RubricCheck? Check, IReadOnlyList<DiffLine> Diff, string DiffTitle)
{
    public string[] Lines => Text.Replace("\r\n", "\n").Split('\n');
}

/// <summary>
/// Rubric management in the browser: check a candidate with the one rubric loader (errors name the line), diff it
/// against the active rubric, preview its impact on a period (the same <see cref="RubricImpactPreview"/> as
/// <c>qa rescore --dry-run</c>, nothing saved), and publish it as a new version file with a note, recorded in
/// <c>rubric_versions</c> and made active on every node through the centre settings.
/// </summary>
public sealed class RubricEditor(IOptionsMonitor<RubricSelection> selection, RubricCatalog catalog, IRubricImpactPreview preview, RubricVersionRepository versions,
    WebSettings settings, AuditLog audit, TimeProvider clock)
{
    public const string CandidateName = "candidate.yaml";

    public string ActiveText() => File.ReadAllText(selection.CurrentValue.ActivePath);

    public static RubricCheck Check(string yaml)
    {
        try
        {
            return new RubricCheck(RubricParser.Parse(yaml, CandidateName), null, null);
        }
        catch (RubricException e)
        {
            return new RubricCheck(null, e.Message, LineOf(e.Message, CandidateName));
        }
    }

    /// <summary>The line a loader's error names (<c>NAME:LINE: ...</c>), for the editor to point at.</summary>
    public static int? LineOf(string error, string sourceName) =>
        Regex.Match(error, "^" + Regex.Escape(sourceName) + ":(\\d+):") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;

    /// <summary>The version scheduled to apply from a date, if any (shown as pending until its date, then as in force).</summary>
    public RubricSchedule? Scheduled => selection.CurrentValue.Scheduled;

    /// <summary>A line diff by longest common subsequence (rubrics are a few hundred lines).</summary>
    public static IReadOnlyList<DiffLine> Diff(string active, string candidate)
    {
        var a = active.Replace("\r\n", "\n").Split('\n');
        var b = candidate.Replace("\r\n", "\n").Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var diff = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { diff.Add(new(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) diff.Add(new('-', a[x++]));
            else diff.Add(new('+', b[y++]));
        }
        while (x < a.Length) diff.Add(new('-', a[x++]));
        while (y < b.Length) diff.Add(new('+', b[y++]));
        return diff;
    }

    /// <summary>Re-scores the period's stored transcripts with the candidate and compares: nothing is saved.</summary>
    public async Task<ImpactPreviewResult> Preview(string yaml, DateTime? from, DateTime? to, CancellationToken ct)
    {
        if (Check(yaml).Error is { } error) throw new ReviewRuleException("error.rubric_invalid", 400, error);
        var temp = Path.Combine(Path.GetTempPath(), $"qa-candidate-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(temp, yaml, new UTF8Encoding(false), ct);
        try { return await preview.Run(temp, from, to, ct); }
        finally { File.Delete(temp); }
    }

    /// <summary>Writes the candidate as <c>ID-VERSION.yaml</c> beside the active rubric and records the version with its
    /// note. Without <paramref name="appliesFrom"/> (or with a past one) it becomes the active rubric for new calls and a
    /// pending schedule is dropped; with a future instant it is scheduled: calls that start from then on are scored with
    /// it, the active rubric stays for the calls before. A version number is published once: the same text again
    /// reuses its file, other text is refused.</summary>
    public async Task<string> Publish(Viewer viewer, string yaml, string? note, CancellationToken ct, DateTime? appliesFrom = null)
    {
        if (!viewer.ManagesRules) throw new ReviewRuleException("error.rubric_publish_needs_manager", 403);
        if (string.IsNullOrWhiteSpace(note)) throw new ReviewRuleException("error.say_what_changed_note", 400);
        if (note.Length > InputLimits.FreeText) throw new ReviewRuleException("error.note_limited_characters", 400, InputLimits.FreeText);
        var check = Check(yaml);
        if (check.Rubric is not { } rubric) throw new ReviewRuleException("error.rubric_invalid", 400, check.Error!);
        if (!Regex.IsMatch(rubric.Id + rubric.Version, "^[A-Za-z0-9._-]+$"))
            throw new ReviewRuleException("error.rubric_id_version_may", 400);
        var now = clock.GetUtcNow().UtcDateTime;
        var scheduled = appliesFrom is { } from && from > now ? from : (DateTime?)null;
        var bytes = new UTF8Encoding(false).GetBytes(yaml);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = Path.Combine(catalog.Folder, $"{rubric.Id}-{rubric.Version}.yaml");
        var existing = catalog.Files().FirstOrDefault(f => f.Id == rubric.Id && f.Version == rubric.Version);
        if (existing is not null && existing.Hash != hash)
            throw new ReviewRuleException("error.version_exists_other_content", 409, rubric.Version, rubric.Id, Path.GetFileName(existing.Path));
        if (existing is null) await File.WriteAllBytesAsync(path, bytes, ct);
        else path = existing.Path;
        await versions.Add(rubric.Id, rubric.Version, hash, path, note.Trim(), viewer.Login, now, ct, scheduled);
        if (scheduled is { } at)
            await settings.Set(CentreSettings.ScheduledRubric, new RubricSchedule(path, at).ToString(), viewer.Login, ct);
        else await Activate(path, viewer.Login, ct);
        await audit.Write(viewer.Login, "rubric published", "rubric", rubric.Id,
            $"version {rubric.Version}{(scheduled is { } s ? $", for calls from {s:yyyy-MM-dd HH:mm} UTC" : "")}: {note.Trim()}", now, ct);
        return path;
    }

    /// <summary>Makes a rubric of the folder the active one for new calls now ("Make active" on the admin page). A schedule
    /// goes with it, pending or in force, as with an immediate publish: the lead's latest decision stands, and a pending
    /// switch would otherwise take new calls away from the version just made active on its date without anyone asking.</summary>
    public async Task MakeActive(Viewer viewer, string path, CancellationToken ct)
    {
        if (!viewer.ManagesRules) throw new ReviewRuleException("error.rubric_change_needs_manager", 403);
        var file = catalog.Files().FirstOrDefault(f => f.Path == path && f.Error is null)
                   ?? throw new ReviewRuleException("error.not_valid_rubric_rubric", 400);
        var dropped = selection.CurrentValue.Scheduled;
        await Activate(file.Path, viewer.Login, ct);
        await audit.Write(viewer.Login, "rubric made active", "rubric", file.Id,
            $"version {file.Version} ({Path.GetFileName(file.Path)}){(dropped is null ? "" : $"; schedule of {Path.GetFileName(dropped.Path)} cancelled")}",
            clock.GetUtcNow().UtcDateTime, ct);
    }

    /// <summary>The rubric for new calls from now on, on every node; the newest decision replaces a schedule, which
    /// would otherwise take new calls back.</summary>
    private async Task Activate(string path, string login, CancellationToken ct)
    {
        await settings.Set(WebSettings.ActiveRubric, path, login, ct);
        if (selection.CurrentValue.Scheduled is not null) await settings.Set(CentreSettings.ScheduledRubric, "", login, ct);
    }

    /// <summary>Drops the scheduled version: calls keep being scored with the active rubric.</summary>
    public async Task CancelSchedule(Viewer viewer, CancellationToken ct)
    {
        if (!viewer.ManagesRules) throw new ReviewRuleException("error.rubric_change_needs_manager", 403);
        if (selection.CurrentValue.Scheduled is not { } s) throw new ReviewRuleException("error.no_rubric_is_scheduled", 400);
        await settings.Set(CentreSettings.ScheduledRubric, "", viewer.Login, ct);
        await audit.Write(viewer.Login, "rubric schedule cancelled", "rubric", Path.GetFileName(s.Path), null, clock.GetUtcNow().UtcDateTime, ct);
    }
}
