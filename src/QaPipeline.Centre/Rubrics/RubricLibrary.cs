using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Centre.Rubrics;

/// <summary>A rubric file in the rules folder: its id and version, or why it does not load.</summary>
public sealed record RubricFileEntry(string Path, string Hash, Rubric? Rubric, string? Error)
{
    public string? Id => Rubric?.Id;
}

/// <summary>
/// The rules folder (the folder of the active rubric, <c>scoring-rules/</c> by default): the rubric files and the
/// routing table that says which of them scores which call. Files are re-read when they change, so a routing or
/// phrase edit takes effect on the next call. Without a <c>routing.yaml</c> every call is scored with the active
/// rubric (the admin's choice, QA_RUBRIC); with one, routing chooses by rubric id and the active file serves its
/// own id (so choosing a new version of zh-CN in the admin page moves the zh-CN line to it).
/// </summary>
public sealed class RubricLibrary
{
    // The admin's choice in force now (it changes while the centre runs).
    private readonly Func<RubricSelection> _selection;

    public RubricLibrary(IOptionsMonitor<RubricSelection> selection) : this(() => selection.CurrentValue) { }

    private RubricLibrary(Func<RubricSelection> selection) => _selection = selection;

    private readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, RubricFileEntry Entry)> _files = new();
    private (DateTime Stamp, long Length, string Ids, RubricRouting Routing)? _routing;
    private readonly Lock _routingLock = new();

    /// <summary>The rubrics of one folder with none active (<c>qa rules validate</c> checking a routing file).</summary>
    public static RubricLibrary ForFolder(string folder) =>
        new(() => new RubricSelection { ActivePath = Path.Combine(Path.GetFullPath(folder), RoutingParser.FileName) });

    public string Folder => Path.GetDirectoryName(ActivePath) ?? ".";

    public string ActivePath => Path.GetFullPath(_selection().ActivePath);

    /// <summary>The version scheduled to apply from a date, if any.</summary>
    public RubricSchedule? Scheduled => _selection().Scheduled;

    public string RoutingPath => Path.Combine(Folder, RoutingParser.FileName);

    /// <summary>True for the YAML files of the folder that are rubrics (not the routing table).</summary>
    public static bool IsRubricFile(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        && !Path.GetFileName(path).StartsWith("routing", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<RubricFileEntry> Files()
    {
        var paths = Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "*.yaml").Where(IsRubricFile).Order(StringComparer.Ordinal).ToList()
            : [];
        if (IsRubricFile(ActivePath) && File.Exists(ActivePath) && !paths.Contains(ActivePath)) paths.Add(ActivePath);
        return paths.Select(Load).ToList();
    }

    /// <summary>The ids of the rubrics that load, for routing and for checking a call's rubric override.</summary>
    public IReadOnlyList<string> RubricIds() =>
        Files().Select(f => f.Id).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

    public bool Knows(string rubricId) => RubricIds().Contains(rubricId);

    /// <summary>The file that serves a rubric id for a call that started at <paramref name="callTime"/>: a version
    /// scheduled for that id from a date on when the call started from then (the rules in force when the call took
    /// place, however late it is scored), else the active file when it is that rubric, else the highest version.</summary>
    public string PathOf(string rubricId, DateTime? callTime = null)
    {
        if (callTime is { } at && Scheduled is { } scheduled && at >= scheduled.From && File.Exists(scheduled.Path)
            && Load(Path.GetFullPath(scheduled.Path)).Id == rubricId)
            return Path.GetFullPath(scheduled.Path);
        var candidates = Files().Where(f => f.Id == rubricId).ToList();
        if (candidates.Count == 0)
            throw new RubricException($"{Folder}: no rubric '{rubricId}' (known: {string.Join(", ", RubricIds())})");
        return (candidates.FirstOrDefault(f => f.Path == ActivePath)
                ?? candidates.OrderByDescending(f => f.Rubric!.Version, StringComparer.Ordinal).First()).Path;
    }

    /// <summary>True when the folder has a routing table (else every call gets the active rubric).</summary>
    public bool HasRoutingFile => File.Exists(RoutingPath);

    /// <summary>The routing table, validated against the rubrics in the folder; an invalid one throws
    /// <see cref="RubricException"/> with file, line and field, so calls park with that reason instead of being
    /// scored against a rubric nobody chose.</summary>
    public RubricRouting Routing()
    {
        if (!HasRoutingFile)
        {
            var active = Load(ActivePath);
            return RubricRouting.Single(active.Id ?? throw new RubricException(active.Error ?? $"{ActivePath}: rubric does not load"));
        }
        var info = new FileInfo(RoutingPath);
        var ids = RubricIds();
        var key = string.Join(',', ids);
        lock (_routingLock)
        {
            if (_routing is { } hit && hit.Stamp == info.LastWriteTimeUtc && hit.Length == info.Length && hit.Ids == key) return hit.Routing;
            var routing = RoutingParser.Parse(File.ReadAllBytes(RoutingPath), RoutingPath, ids);
            _routing = (info.LastWriteTimeUtc, info.Length, key, routing);
            return routing;
        }
    }

    private RubricFileEntry Load(string path)
    {
        var info = new FileInfo(path);
        if (_files.TryGetValue(path, out var hit) && hit.Stamp == info.LastWriteTimeUtc && hit.Length == info.Length) return hit.Entry;
        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        RubricFileEntry entry;
        try { entry = new RubricFileEntry(path, hash, RubricLoader.Parse(bytes, path), null); }
        catch (FormatException e) { entry = new RubricFileEntry(path, hash, null, e.Message); }
        _files[path] = (info.LastWriteTimeUtc, info.Length, entry);
        return entry;
    }
}
