using System.Security.Cryptography;
using System.Text;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Rubrics;

/// <summary>
/// The routing table (which rubric scores which call) edited like a rubric: checked by the one routing loader against
/// the rubrics in the folder (errors name the line), diffed against the table in force (<see cref="RubricEditor.Diff"/>),
/// published with a note and kept in the version history. The pipeline re-reads <c>routing.yaml</c> when it changes, so
/// the next call is routed by the new table.
/// </summary>
public sealed class RoutingEditor(RubricLibrary library, RubricVersionRepository versions, AuditLog audit, TimeProvider clock)
{
    public const string CandidateName = "routing-candidate.yaml";

    /// <summary>Where each published table is kept (the history's diff source); not a rubric file, not the live table.</summary>
    public string HistoryFolder => Path.Combine(library.Folder, "routing-history");

    public string ActiveText() => library.HasRoutingFile ? File.ReadAllText(library.RoutingPath) : "";

    public RubricCheck Check(string yaml)
    {
        try
        {
            RoutingParser.Parse(yaml, CandidateName, library.RubricIds());
            return new RubricCheck(null, null, null);
        }
        catch (RubricException e)
        {
            return new RubricCheck(null, e.Message, RubricEditor.LineOf(e.Message, CandidateName));
        }
    }

    /// <summary>Replaces <c>routing.yaml</c> (written beside it, then moved over it, so no node reads half a table),
    /// keeps a copy in <see cref="HistoryFolder"/> and records the version with its note.</summary>
    public async Task Publish(Viewer viewer, string yaml, string? note, CancellationToken ct)
    {
        if (!viewer.ManagesRules) throw new ReviewRuleException("error.routing_publish_needs_manager", 403);
        if (string.IsNullOrWhiteSpace(note)) throw new ReviewRuleException("error.say_what_changed_note", 400);
        if (note.Length > InputLimits.FreeText) throw new ReviewRuleException("error.note_limited_characters", 400, InputLimits.FreeText);
        if (Check(yaml).Error is { } error) throw new ReviewRuleException("error.routing_invalid", 400, error);
        var bytes = new UTF8Encoding(false).GetBytes(yaml);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var now = clock.GetUtcNow().UtcDateTime;
        Directory.CreateDirectory(HistoryFolder);
        var kept = Path.Combine(HistoryFolder, $"routing-{now:yyyyMMdd-HHmmss}-{hash[..8]}.yaml");
        await File.WriteAllBytesAsync(kept, bytes, ct);
        var temp = library.RoutingPath + ".publishing";
        await File.WriteAllBytesAsync(temp, bytes, ct);
        File.Move(temp, library.RoutingPath, overwrite: true);
        await versions.Add("routing", hash[..12], hash, kept, note.Trim(), viewer.Login, now, ct, kind: RubricVersionRepository.Routing);
        await audit.Write(viewer.Login, "routing published", "routing", hash[..12], note.Trim(), now, ct);
    }
}
