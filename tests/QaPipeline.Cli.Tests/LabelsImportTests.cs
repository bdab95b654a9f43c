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
