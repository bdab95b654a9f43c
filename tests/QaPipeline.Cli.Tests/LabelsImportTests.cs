using QaPipeline.Bench;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests;

/// <summary>
/// <c>qa labels import</c> end to end on a corpus of our own lines (written for this test, in a scratch shared
/// folder): a round is imported, a second round is added, and the second round is re-imported with an independent
/// pass and a changed adjudication (<c>--replace</c>) without touching the first round's rows.
/// </summary>
public class LabelsImportTests
{
    private const string Items = "greeting.opening\nwait.request\nhandling.confirm\nclosing.farewell\n";

    // Own wording, not corpus text.
    private static readonly string[] Corpus =
    [
        "您好，今天由我来接待您",
        "小李这就替您翻一翻记录，麻烦稍等片刻",
        "您想换成蓝色的那款对吗",
        "周末愉快，回头见",
    ];

    private sealed record Round(string Sample, string PassA, string PassB, string Gold);

    private static (string Shared, string Dir) Folders()
    {
        var dir = Directory.CreateTempSubdirectory("qa-labels-import").FullName;
        var shared = Path.Combine(dir, "shared");
        Directory.CreateDirectory(Path.Combine(shared, "corpora"));
        File.WriteAllLines(Path.Combine(shared, "corpora", "own.txt"), Corpus);
        File.WriteAllText(Path.Combine(dir, "items.txt"), Items);
        return (shared, dir);
    }

    private static Round Write(string dir, string name, string sample, string a, string b, string gold)
    {
        string F(string part, string content)
        {
            var path = Path.Combine(dir, $"{name}-{part}.tsv");
            File.WriteAllText(path, content);
            return path;
        }
        return new Round(F("sample", sample), F("a", a), F("b", b), F("gold", gold));
    }

    private static QaProcess.Result Import(string shared, string dir, Round r, string output, params string[] extra) =>
        QaProcess.Run(new Dictionary<string, string> { ["QA_SHARED_DIR"] = shared },
            ["labels", "import", "--sample", r.Sample, "--pass-a", r.PassA, "--pass-b", r.PassB, "--gold", r.Gold,
             "--items", Path.Combine(dir, "items.txt"), "--corpus", "corpora/own.txt", "--out", output, .. extra]);

    private static LabelledSet Load(string shared, string file) =>
        LabelledSet.Parse(File.ReadAllText(file), file, corpus => File.ReadAllLines(Path.Combine(shared, corpus)));

    private static string[] Rows(string file) => File.ReadAllLines(file).Where(l => !l.StartsWith('#')).ToArray();

    [Fact]
    public void A_round_reimported_with_an_independent_pass_replaces_its_own_rows_and_keeps_every_earlier_row()
    {
        var (shared, dir) = Folders();
        var set = Path.Combine(dir, "set.tsv");
        var one = Write(dir, "r1", $"1\t{Corpus[0]}\n2\t{Corpus[1]}\n", "1\tgreeting.opening\n2\twait.request\n",
            "1\tgreeting.opening\n2\twait.request\n", "1\tgreeting.opening\n2\twait.request\n");
        Assert.Equal(0, Import(shared, dir, one, set).ExitCode);
        var two = Write(dir, "r2", $"7\t{Corpus[2]}\n8\t{Corpus[3]}\n", "7\thandling.confirm\n8\tclosing.farewell\n",
            "7\thandling.confirm\n8\tclosing.farewell\n", "7\thandling.confirm\n8\tclosing.farewell\n");
        Assert.Equal(0, Import(shared, dir, two, set, "--add-to", set).ExitCode);
        var before = Rows(set);

        // The independent pass disagrees on line 8 and the new adjudication follows it.
        var again = Write(dir, "r2c", $"7\t{Corpus[2]}\n8\t{Corpus[3]}\n", "7\thandling.confirm\n8\tclosing.farewell\n",
            "7\thandling.confirm\n8\t\n", "7\thandling.confirm\n8\t\n");
        var r = Import(shared, dir, again, set, "--add-to", set, "--replace");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("2 kept unchanged, 2 replaced by this round; gold changed on 1: sample ids 8", r.Stderr);

        var after = Load(shared, set);
        var firstRound = after.Lines.Where(l => l.Text == Corpus[0] || l.Text == Corpus[1]).Select(l => l.Fingerprint).ToHashSet();
        Assert.Equal(2, firstRound.Count);
        Assert.Equal(before.Where(row => firstRound.Contains(row.Split('\t')[0])), Rows(set).Where(row => firstRound.Contains(row.Split('\t')[0])));
        var eight = after.Lines.Single(l => l.Text == Corpus[3]);
        Assert.Empty(eight.Gold);
        Assert.Equal(["closing.farewell"], eight.PassA!);
        Assert.Empty(eight.PassB!);
        var seven = after.Lines.Single(l => l.Text == Corpus[2]);
        Assert.Equal(["handling.confirm"], seven.Gold);
        Assert.Equal(4, after.Lines.Count);
    }

    [Fact]
    public void Replace_refuses_a_line_the_set_does_not_hold_and_needs_the_set_to_replace_into()
    {
        var (shared, dir) = Folders();
        var set = Path.Combine(dir, "set.tsv");
        var one = Write(dir, "r1", $"1\t{Corpus[0]}\n", "1\tgreeting.opening\n", "1\tgreeting.opening\n", "1\tgreeting.opening\n");
        Assert.Equal(0, Import(shared, dir, one, set).ExitCode);
        var fresh = Write(dir, "new", $"5\t{Corpus[3]}\n", "5\tclosing.farewell\n", "5\tclosing.farewell\n", "5\tclosing.farewell\n");

        var notThere = Import(shared, dir, fresh, Path.Combine(dir, "out.tsv"), "--add-to", set, "--replace");
        Assert.Equal(2, notThere.ExitCode);
        Assert.Contains("sample line 5 is not in", notThere.Stderr);
        Assert.Single(notThere.Stderr.Trim().Split('\n'));

        var noSet = Import(shared, dir, fresh, Path.Combine(dir, "out.tsv"), "--replace");
        Assert.Equal(2, noSet.ExitCode);
        Assert.Contains("--add-to", noSet.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "out.tsv")));
    }

    [Fact]
    public void An_item_only_round_replaces_that_items_labels_and_keeps_every_other_items_labels_and_the_header_says_so()
    {
        var (shared, dir) = Folders();
        var set = Path.Combine(dir, "set.tsv");
        // Line 2 holds the item being relabelled beside another item; pass b had disagreed on the other item.
        var one = Write(dir, "r1", $"1\t{Corpus[0]}\n2\t{Corpus[1]}\n3\t{Corpus[2]}\n",
            "1\tgreeting.opening\n2\thandling.confirm,wait.request\n3\thandling.confirm\n",
            "1\tgreeting.opening\n2\twait.request\n3\thandling.confirm\n",
            "1\tgreeting.opening\n2\thandling.confirm,wait.request\n3\thandling.confirm\n");
        Assert.Equal(0, Import(shared, dir, one, set).ExitCode);

        // Two new passes of handling.confirm alone, under new ids and in another order: they drop it on line 2
        // (adjudicated away) and disagree on line 3 (kept).
        var relabel = Write(dir, "rc", $"10\t{Corpus[2]}\n11\t{Corpus[1]}\n12\t{Corpus[0]}\n",
            "10\thandling.confirm\n11\t\n12\t\n", "10\t\n11\t\n12\t\n", "10\thandling.confirm\n11\t\n12\t\n");
        var r = Import(shared, dir, relabel, set, "--add-to", set, "--replace", "--only-items", "handling.confirm",
            "--note", "handling.confirm relabelled by two new passes (test)");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("gold changed on 1: sample ids 11", r.Stderr);

        var after = Load(shared, set);
        var two = after.Lines.Single(l => l.Text == Corpus[1]);
        Assert.Equal(["wait.request"], two.Gold);
        Assert.Equal(["wait.request"], two.PassA!);
        Assert.Equal(["wait.request"], two.PassB!);
        var three = after.Lines.Single(l => l.Text == Corpus[2]);
        Assert.Equal(["handling.confirm"], three.Gold);
        Assert.Equal(["handling.confirm"], three.PassA!);
        Assert.Empty(three.PassB!);
        var first = after.Lines.Single(l => l.Text == Corpus[0]);
        Assert.Equal(["greeting.opening"], first.Gold);
        Assert.Equal(["greeting.opening"], first.PassB!);
        Assert.Contains(after.Notes, n => n.StartsWith("handling.confirm: gold, pass_a and pass_b on 3 lines come from an item-only round"));
        Assert.Contains("handling.confirm relabelled by two new passes (test)", after.Notes);

        // An item-only round that names another item is refused, and so is --only-items without --replace.
        var stray = Write(dir, "rs", $"10\t{Corpus[2]}\n", "10\twait.request\n", "10\t\n", "10\t\n");
        var before = File.ReadAllText(set);
        var refused = Import(shared, dir, stray, set, "--add-to", set, "--replace", "--only-items", "handling.confirm");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("'wait.request' is not an item this round labels", refused.Stderr);
        var noReplace = Import(shared, dir, relabel, set, "--add-to", set, "--only-items", "handling.confirm");
        Assert.Equal(2, noReplace.ExitCode);
        Assert.Contains("needs --replace", noReplace.Stderr);
        Assert.Equal(before, File.ReadAllText(set));

        // A later import keeps the header's notes.
        var four = Write(dir, "r4", $"20\t{Corpus[3]}\n", "20\tclosing.farewell\n", "20\tclosing.farewell\n", "20\tclosing.farewell\n");
        Assert.Equal(0, Import(shared, dir, four, set, "--add-to", set).ExitCode);
        Assert.Contains("handling.confirm relabelled by two new passes (test)", Load(shared, set).Notes);
    }

    [Fact]
    public void Adding_a_round_keeps_the_gold_of_a_line_labelled_before()
    {
        var (shared, dir) = Folders();
        var set = Path.Combine(dir, "set.tsv");
        var one = Write(dir, "r1", $"1\t{Corpus[2]}\n", "1\thandling.confirm\n", "1\thandling.confirm\n", "1\thandling.confirm\n");
        Assert.Equal(0, Import(shared, dir, one, set).ExitCode);
        var before = File.ReadAllText(set);
        var clash = Write(dir, "r2", $"3\t{Corpus[2]}\n", "3\t\n", "3\t\n", "3\t\n");
        var r = Import(shared, dir, clash, set, "--add-to", set);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("different gold labels", r.Stderr);
        Assert.Equal(before, File.ReadAllText(set));
    }
}
