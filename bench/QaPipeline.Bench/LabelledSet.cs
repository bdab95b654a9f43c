using System.Globalization;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Bench;

public enum LabelledPart { Dev, Test }

/// <summary>One labelled agent line: its text (joined at run time), the adjudicated (gold) item ids, and the
/// two independent labelling passes where there were two.</summary>
public sealed record LabelledLine(string Fingerprint, string Text, LabelledPart Part, IReadOnlySet<string> Gold,
    IReadOnlySet<string>? PassA, IReadOnlySet<string>? PassB);

/// <summary>
/// A labelled set of agent lines (bench/labels/*.tsv) for measuring phrase detectors. The file holds
/// fingerprints and labels; lines from a corpus that may not be redistributed (JDDC) are joined with the
/// corpus in ../shared at run time, lines we wrote ourselves carry their text.
///
/// File format (UTF-8, tab-separated; '#' lines are headers):
///   # rubric: scoring-rules/zh-CN.yaml          the rubric whose items are labelled
///   # corpus: corpora/jddc-agent-responses.txt  optional, relative to ../shared
///   # items: a,b,c                               every labelled item: an absent id is a negative
///   fingerprint  gold  pass_a  pass_b  [text]   item ids comma-separated; '-' = no pass
///
/// The development/test split is a fixed function of the fingerprint (<see cref="PartOf"/>), decided before
/// any tuning: tuning looks at dev only, figures are reported on test.
/// </summary>
public sealed class LabelledSet
{
    public required string Rubric { get; init; }
    public required IReadOnlyList<string> Items { get; init; }
    public required IReadOnlyList<LabelledLine> Lines { get; init; }
    public string? Corpus { get; init; }

    /// <summary>The header's free-text lines (what the labels are and where each column came from), without '# '.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Half the lines go to test: those whose fingerprint (uniform SHA-256 hex) ends in an odd digit.</summary>
    public static LabelledPart PartOf(string fingerprint) =>
        int.Parse(fingerprint.AsSpan(fingerprint.Length - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) % 2 == 1
            ? LabelledPart.Test
            : LabelledPart.Dev;

    /// <summary>Parses a labels file; <paramref name="corpusLines"/> supplies the text of fingerprint-only rows
    /// (null when the file names no corpus). Errors name the file and line.</summary>
    public static LabelledSet Parse(string text, string sourceName, Func<string, IReadOnlyList<string>>? corpusLines)
    {
        string? rubric = null, corpus = null;
        List<string>? items = null;
        var notes = new List<string>();
        var rows = new List<(int Line, string[] Cells)>();
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var header = line.TrimStart('#').Trim();
                if (Value(header, "rubric:") is { } r) rubric = r;
                else if (Value(header, "corpus:") is { } c) corpus = c;
                else if (Value(header, "items:") is { } i) items = ItemList(i).ToList();
                else if (!header.StartsWith("fingerprint\t", StringComparison.Ordinal)) notes.Add(header);
                continue;
            }
            rows.Add((n, line.Split('\t')));
        }
        if (rubric is null) throw new FormatException($"{sourceName}: missing '# rubric:' header");
        if (items is null || items.Count == 0) throw new FormatException($"{sourceName}: missing '# items:' header");

        Dictionary<string, string>? byFingerprint = null;
        if (corpus is not null)
        {
            if (corpusLines is null) throw new FormatException($"{sourceName}: names corpus {corpus} but no corpus folder was given");
            byFingerprint = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var l in corpusLines(corpus))
                byFingerprint.TryAdd(LineFingerprint.Of(l), l);
        }

        var known = items.ToHashSet(StringComparer.Ordinal);
        var lines = new List<LabelledLine>(rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (at, cells) in rows)
        {
            if (cells.Length < 4)
                throw new FormatException($"{sourceName}:{at}: expected fingerprint, gold, pass_a, pass_b[, text] separated by tabs");
            string lineText;
            var fingerprint = cells[0];
            if (cells.Length >= 5 && cells[4].Length > 0)
            {
                lineText = cells[4];
                var actual = LineFingerprint.Of(lineText);
                if (fingerprint != "-" && fingerprint != actual)
                    throw new FormatException($"{sourceName}:{at}: fingerprint {fingerprint} does not match the line's text ({actual})");
                fingerprint = actual;
            }
            else if (byFingerprint is null)
                throw new FormatException($"{sourceName}:{at}: no text and no '# corpus:' to join the fingerprint with");
            else if (!byFingerprint.TryGetValue(fingerprint, out lineText!))
                throw new FormatException($"{sourceName}:{at}: fingerprint {fingerprint} is not a line of the corpus {corpus} (wrong corpus version?)");
            if (!seen.Add(fingerprint)) throw new FormatException($"{sourceName}:{at}: line {fingerprint} is labelled twice");
            lines.Add(new LabelledLine(fingerprint, lineText, PartOf(fingerprint),
                Ids(cells[1], known, sourceName, at)!, Ids(cells[2], known, sourceName, at), Ids(cells[3], known, sourceName, at)));
        }
        return new LabelledSet { Rubric = rubric, Items = items, Lines = lines, Corpus = corpus, Notes = notes };
    }

    /// <summary>A comma-separated list of item ids as the set's cells, header and the import's options write it.</summary>
    public static string[] ItemList(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? Value(string header, string key) =>
        header.StartsWith(key, StringComparison.Ordinal) ? header[key.Length..].Trim() : null;

    private static IReadOnlySet<string>? Ids(string cell, HashSet<string> known, string source, int line)
    {
        cell = cell.Trim();
        if (cell == "-") return null;
        var ids = ItemList(cell).ToHashSet(StringComparer.Ordinal);
        if (ids.FirstOrDefault(i => !known.Contains(i)) is { } bad)
            throw new FormatException($"{source}:{line}: '{bad}' is not one of the labelled items (# items: header)");
        return ids;
    }

    /// <summary>Writes the file format that <see cref="Parse"/> reads.</summary>
    public static string Format(string rubric, string? corpus, IReadOnlyList<string> items, IEnumerable<(string Fingerprint,
        IReadOnlySet<string> Gold, IReadOnlySet<string>? PassA, IReadOnlySet<string>? PassB, string? Text)> rows, IEnumerable<string> notes)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var note in notes) sb.Append("# ").Append(note).Append('\n');
        sb.Append("# rubric: ").Append(rubric).Append('\n');
        if (corpus is not null) sb.Append("# corpus: ").Append(corpus).Append('\n');
        sb.Append("# items: ").Append(string.Join(',', items)).Append('\n');
        sb.Append("# fingerprint\tgold\tpass_a\tpass_b").Append(corpus is null ? "\ttext" : "").Append('\n');
        string Cell(IReadOnlySet<string>? s) => s is null ? "-" : string.Join(',', items.Where(s.Contains));
        foreach (var r in rows.OrderBy(r => r.Fingerprint, StringComparer.Ordinal))
        {
            sb.Append(r.Fingerprint).Append('\t').Append(Cell(r.Gold)).Append('\t').Append(Cell(r.PassA)).Append('\t').Append(Cell(r.PassB));
            if (r.Text is not null) sb.Append('\t').Append(r.Text);
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
