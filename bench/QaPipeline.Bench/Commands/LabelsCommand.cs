using System.CommandLine;
using QaPipeline.Cli.Commands;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Bench.Commands;

/// <summary>
/// <c>qa labels import</c>: turns a labelling round (a sample of corpus lines with ids, two independent passes
/// and the adjudicated labels, all keyed by sample id and kept outside the repository) into a labelled set
/// that holds fingerprints and labels only — never the corpus text — for <c>qa bench rules</c>.
/// </summary>
public static class LabelsCommand
{
    public static Command Create()
    {
        var labels = new Command("labels", "Labelled sets of agent lines for measuring phrase detectors");
        var sample = new Option<FileInfo>("--sample") { Description = "id<TAB>text: the lines that were labelled", Required = true };
        var passA = new Option<FileInfo>("--pass-a") { Description = "id<TAB>item,item: first labelling pass", Required = true };
        var passB = new Option<FileInfo>("--pass-b") { Description = "id<TAB>item,item: second, independent pass", Required = true };
        var gold = new Option<FileInfo>("--gold") { Description = "id<TAB>item,item: adjudicated labels", Required = true };
        var items = new Option<FileInfo>("--items") { Description = "The labelled item ids, one per line", Required = true };
        var rubric = new Option<string>("--rubric") { Description = "Rubric the items belong to", DefaultValueFactory = _ => "scoring-rules/zh-CN.yaml" };
        var corpus = new Option<string>("--corpus") { Description = "Corpus file relative to ../shared", DefaultValueFactory = _ => "corpora/jddc-agent-responses.txt" };
        var output = new Option<FileInfo>("--out") { Description = "Labelled set to write (fingerprints and labels only)", Required = true };
        var addTo = new Option<FileInfo?>("--add-to") { Description = "An existing labelled set (same rubric, corpus and items) whose lines are kept: the round's lines are added to them" };
        var replace = new Option<bool>("--replace") { Description = "Re-import a round already in --add-to (a pass redone, disagreements adjudicated again): its lines take this round's gold and passes, every other line is kept unchanged" };
        var onlyItems = new Option<string?>("--only-items") { Description = "With --replace: the round labelled only these items (comma-separated): their gold and passes are replaced on the round's lines, every other item's labels are kept" };
        var note = new Option<string[]>("--note") { Description = "A line for the set's header saying where labels came from (repeatable); the earlier set's notes are kept" };
        var import = new Command("import", "Import a labelling round as fingerprint → labels (no text)") { sample, passA, passB, gold, items, rubric, corpus, output, addTo, replace, onlyItems, note };
        import.SetAction(p =>
        {
            var itemIds = ReadLines(p.GetValue(items)!).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            var texts = ById(p.GetValue(sample)!);
            var a = ById(p.GetValue(passA)!);
            var b = ById(p.GetValue(passB)!);
            var g = ById(p.GetValue(gold)!);
            var known = itemIds.ToHashSet(StringComparer.Ordinal);
            // An item-only round (one item relabelled on lines already in the set) replaces that item's columns alone:
            // its passes say nothing about the other items, so their gold and passes must stay as they were.
            var only = p.GetValue(onlyItems) is { } list
                ? LabelledSet.ItemList(list).ToHashSet(StringComparer.Ordinal)
                : null;
            if (only is not null)
            {
                if (!p.GetValue(replace)) throw new UserInputException("--only-items replaces some items' labels on lines already in the set: it needs --replace and --add-to");
                if (only.Count == 0) throw new UserInputException("--only-items names no item");
                if (only.FirstOrDefault(i => !known.Contains(i)) is { } stray) throw new UserInputException($"--only-items: '{stray}' is not in --items");
            }
            var cellItems = only ?? known;
            var rows = new Dictionary<string, (IReadOnlySet<string> Gold, IReadOnlySet<string>? A, IReadOnlySet<string>? B)>(StringComparer.Ordinal);
            // A later round (an enrichment sample) adds to the set instead of replacing it: every earlier line keeps
            // its gold and both passes, and falls into dev/test by the same fingerprint rule as before.
            var kept = 0;
            IReadOnlyList<string> earlierNotes = [];
            var replacing = p.GetValue(replace);
            if (replacing && p.GetValue(addTo) is null)
                throw new UserInputException("--replace re-imports a round into the set given by --add-to");
            if (p.GetValue(addTo) is { } earlierFile)
            {
                var earlier = RulesBenchCommand.LoadSet(earlierFile, null);
                if (earlier.Rubric != p.GetValue(rubric) || earlier.Corpus != p.GetValue(corpus) || !earlier.Items.SequenceEqual(itemIds))
                    throw new UserInputException($"{earlierFile} labels another rubric, corpus or item list than this round (--rubric, --corpus, --items)");
                foreach (var l in earlier.Lines) rows[l.Fingerprint] = (l.Gold, l.PassA, l.PassB);
                earlierNotes = earlier.Notes;
                kept = rows.Count;
            }
            var skipped = 0;
            var again = 0;
            var replaced = new HashSet<string>(StringComparer.Ordinal);
            var goldChanged = new List<string>();
            foreach (var (id, line) in texts)
            {
                if (!g.TryGetValue(id, out var goldCell) || !a.TryGetValue(id, out var aCell) || !b.TryGetValue(id, out var bCell))
                    throw new UserInputException($"sample line {id} is missing from the gold labels or one of the passes");
                var normalized = SpeechText.Parse(line).Normalized;
                // A line with no speech units (only emoji codes or punctuation) has nothing to detect or fingerprint.
                if (normalized.Length == 0) { skipped++; continue; }
                var fp = LineFingerprint.OfNormalized(normalized);
                var row = (Set(goldCell, cellItems, id), (IReadOnlySet<string>?)Set(aCell, cellItems, id), (IReadOnlySet<string>?)Set(bCell, cellItems, id));
                if (replacing)
                {
                    // The round is being re-imported: its own rows are rebuilt from this round's files. Gold changed by
                    // the new adjudication is listed by sample id, so that no label moves without being seen.
                    if (!rows.TryGetValue(fp, out var before))
                        throw new UserInputException($"sample line {id} is not in {p.GetValue(addTo)}: --replace re-imports a round already there (a new round is added without --replace)");
                    if (only is not null)
                    {
                        if (before.A is null || before.B is null)
                            throw new UserInputException($"sample line {id} has no two passes in {p.GetValue(addTo)} whose --only-items columns could be replaced");
                        row = (Merge(before.Gold, row.Item1, only), Merge(before.A, row.Item2!, only), Merge(before.B, row.Item3!, only));
                    }
                    if (replaced.Contains(fp) && !before.Gold.SetEquals(row.Item1))
                        throw new UserInputException($"sample line {id} normalises to the same text as another line of this round with different gold labels");
                    if (!before.Gold.SetEquals(row.Item1)) goldChanged.Add(id);
                    rows[fp] = row;
                    replaced.Add(fp);
                    continue;
                }
                if (rows.TryGetValue(fp, out var existing))
                {
                    if (!existing.Gold.SetEquals(row.Item1))
                        throw new UserInputException($"sample line {id} normalises to the same text as another labelled line with different gold labels");
                    again++;
                    continue;
                }
                rows[fp] = row;
            }
            string[] standard =
            [
                "Labelled agent lines for qa bench rules: fingerprint (LineFingerprint of the normalised text) -> labels.",
                "The text is not here: it is joined from the corpus in ../shared at run time (research licence).",
                "gold = adjudicated labels; pass_a/pass_b = the two labelling passes; rounds and how they were drawn: docs/labelling.md.",
            ];
            // The header says where each column came from: notes of the earlier set are kept, this import's are added.
            var notes = standard.Concat(earlierNotes.Where(n => !standard.Contains(n))).ToList();
            if (only is not null)
                notes.Add($"{string.Join(',', itemIds.Where(only.Contains))}: gold, pass_a and pass_b on {replaced.Count} lines come from an item-only round " +
                          "(qa labels import --replace --only-items), not from the passes that labelled the other items of those lines.");
            notes.AddRange(p.GetValue(note) ?? []);
            var text = LabelledSet.Format(p.GetValue(rubric)!, p.GetValue(corpus)!, itemIds,
                rows.Select(r => (r.Key, r.Value.Gold, r.Value.A, r.Value.B, (string?)null)), notes);
            File.WriteAllText(p.GetValue(output)!.FullName, text, new System.Text.UTF8Encoding(false));
            Console.Error.WriteLine($"labels import: {rows.Count} lines written to {p.GetValue(output)}" +
                                    (replacing ? $" ({rows.Count - replaced.Count} kept unchanged, {replaced.Count} replaced by this round; gold changed on {goldChanged.Count}" +
                                                 (goldChanged.Count > 0 ? $": sample ids {string.Join(' ', goldChanged)})" : ")")
                                     : kept > 0 ? $" ({kept} kept from the earlier set, {rows.Count - kept} added)" : "") +
                                    (again > 0 ? $" ({again} already labelled, same gold)" : "") +
                                    (skipped > 0 ? $" ({skipped} without speech units skipped)" : ""));
            return 0;
        });
        labels.Subcommands.Add(import);
        labels.Subcommands.Add(OpinionTrainCommand.Create());
        return labels;
    }

    private static IReadOnlyList<string> ReadLines(FileInfo f) =>
        System.Text.Encoding.UTF8.GetString(CliFiles.Read(f, "labelling")).Split('\n').Select(l => l.TrimEnd('\r')).ToList();

    private static Dictionary<string, string> ById(FileInfo f)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var line in ReadLines(f))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            var tab = line.IndexOf('\t');
            var id = (tab < 0 ? line : line[..tab]).Trim();
            if (!map.TryAdd(id, tab < 0 ? "" : line[(tab + 1)..]))
                throw new UserInputException($"{f}:{n}: id {id} appears twice");
        }
        return map;
    }

    /// <summary>The earlier labels with the <paramref name="only"/> items taken from the item-only round instead.</summary>
    private static IReadOnlySet<string> Merge(IReadOnlySet<string> earlier, IReadOnlySet<string> round, HashSet<string> only) =>
        earlier.Where(i => !only.Contains(i)).Concat(round).ToHashSet(StringComparer.Ordinal);

    private static IReadOnlySet<string> Set(string cell, HashSet<string> known, string id)
    {
        var ids = LabelledSet.ItemList(cell).ToHashSet(StringComparer.Ordinal);
        if (ids.FirstOrDefault(i => !known.Contains(i)) is { } bad) throw new UserInputException($"line {id}: '{bad}' is not an item this round labels (--items, --only-items)");
        return ids;
    }
}
