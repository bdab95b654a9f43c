namespace QaPipeline.Web.Calls;

/// <summary>A run of a transcript line as the call page draws it: Whisper's token (with its probability) or plain text,
/// and the rubric items whose deciding words it belongs to (null when none).</summary>
public sealed record TextPiece(string Text, string? Items, bool Low = false, double? Probability = null);

/// <summary>
/// Which words of the transcript decided which item: only the evidence the scorer returned as deciding
/// (<see cref="MachineItem.Deciding"/>), marked at the words it matched, so a call page shows the greeting that passed
/// the greeting item instead of lighting up every line.
/// </summary>
public static class EvidenceMarks
{
    /// <summary>True when an evidence entry is this transcript line: same start time on a timed transcript, else same text.</summary>
    public static bool IsLine(EvidenceSpan e, SegmentView s) =>
        e.Start is not null && s.Start is not null ? Math.Abs(e.Start.Value - s.Start.Value) < 0.05 && e.Text == s.Text : e.Text == s.Text;

    /// <summary>The line split into pieces, the deciding words marked with their items' ids (space-separated).</summary>
    public static IReadOnlyList<TextPiece> Pieces(SegmentView s, IReadOnlyList<MachineItem> items)
    {
        var marks = new List<(int From, int To, string Item)>();
        foreach (var item in items)
            foreach (var e in item.Deciding.Where(e => IsLine(e, s)))
            {
                var at = e.Words is { Length: > 0 } w ? s.Text.IndexOf(w, StringComparison.Ordinal) : -1;
                marks.Add(at >= 0 ? (at, at + e.Words!.Length, item.Id) : (0, s.Text.Length, item.Id));
            }
        string? ItemsIn(int from, int to)
        {
            var ids = marks.Where(m => m.From < to && m.To > from).Select(m => m.Item).Distinct().ToList();
            return ids.Count == 0 ? null : string.Join(' ', ids);
        }
        // Whisper's tokens keep their own pieces (low-probability words stay marked) when they spell the line exactly.
        if (s.Words is { } words && string.Concat(words.Select(w => w.Text)) == s.Text)
        {
            var pieces = new List<TextPiece>();
            var at = 0;
            foreach (var w in words)
            {
                pieces.Add(new TextPiece(w.Text, ItemsIn(at, at + w.Text.Length), w.Low, w.Probability));
                at += w.Text.Length;
            }
            return pieces;
        }
        var cuts = marks.SelectMany(m => new[] { m.From, m.To }).Append(0).Append(s.Text.Length).Distinct().Order().ToList();
        var plain = new List<TextPiece>();
        for (var i = 0; i + 1 < cuts.Count; i++)
            if (cuts[i] < cuts[i + 1]) plain.Add(new TextPiece(s.Text[cuts[i]..cuts[i + 1]], ItemsIn(cuts[i], cuts[i + 1])));
        return plain;
    }
}
