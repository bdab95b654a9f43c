using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Centre.Rubrics;
using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Web.Calls;

/// <summary>A rubric file in the rubric folder, as the admin page lists it.</summary>
public sealed record RubricFile(string Path, string Id, string Version, string Name, string Hash, int Items, bool Active, string? Error);

/// <summary>
/// The rubric versions beside the active one (the folder of QA_RUBRIC, normally scoring-rules/). The call page needs
/// an item's wording and full deduction (a passed item's scorecard entry deducts 0), and the human final score
/// (<see cref="QaPipeline.Scoring.Scorecards.Scorer.Total"/>) needs the categories' caps.
/// </summary>
public sealed class RubricCatalog(IOptionsMonitor<RubricSelection> selection)
{
    private readonly ConcurrentDictionary<string, (DateTime Stamp, Rubric? Rubric, string Hash, string? Error)> _cache = new();

    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(selection.CurrentValue.ActivePath)) ?? ".";

    public IReadOnlyList<RubricFile> Files()
    {
        if (!Directory.Exists(Folder)) return [];
        var active = System.IO.Path.GetFullPath(selection.CurrentValue.ActivePath);
        return Directory.EnumerateFiles(Folder, "*.yaml").Where(RubricLibrary.IsRubricFile).Order(StringComparer.Ordinal).Select(path =>
        {
            var (rubric, hash, error) = Load(path);
            return new RubricFile(path, rubric?.Id ?? "?", rubric?.Version ?? "?", rubric?.Name ?? System.IO.Path.GetFileName(path), hash,
                rubric?.Items.Count ?? 0, string.Equals(path, active, StringComparison.Ordinal), error);
        }).ToList();
    }

    public Rubric? Active => Load(System.IO.Path.GetFullPath(selection.CurrentValue.ActivePath)).Rubric;

    /// <summary>The rubric a scorecard was made with: same id and version in the folder, else the active one
    /// when its id matches (wording shown, deductions may differ), else none.</summary>
    public Rubric? Find(string id, string version)
    {
        var all = Files().Select(f => Load(f.Path).Rubric).OfType<Rubric>().ToList();
        return all.FirstOrDefault(r => r.Id == id && r.Version == version) ?? all.FirstOrDefault(r => r.Id == id);
    }

    private (Rubric? Rubric, string Hash, string? Error) Load(string path)
    {
        var stamp = File.GetLastWriteTimeUtc(path);
        if (_cache.TryGetValue(path, out var hit) && hit.Stamp == stamp) return (hit.Rubric, hit.Hash, hit.Error);
        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Rubric? rubric = null;
        string? error = null;
        try { rubric = RubricParser.Parse(bytes, path); }
        catch (Exception e) when (e is FormatException or InvalidDataException or ArgumentException) { error = e.Message; }
        _cache[path] = (stamp, rubric, hash, error);
        return (rubric, hash, error);
    }
}
