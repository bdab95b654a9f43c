using System.Text.Json;
using QaPipeline.TestSupport;

namespace QaPipeline.Pipeline.Tests.Cli;

/// <summary>The pipeline's qa commands as users run them: JSON on stdout, one-line errors, exit codes.</summary>
[Collection(EngineCollection.Name)]
public sealed class PipelineCommandTests(EngineFixture engines)
{
    private Dictionary<string, string> Env(string dir) => new()
    {
        ["QA_DB"] = "sqlite",
        ["QA_DB_CONNECTION"] = engines.NewDatabase("sqlite").ConnectionString,
        ["QA_STORE"] = Path.Combine(dir, "store"),
        ["QA_RUBRIC"] = TestCalls.Rubric,
        ["QA_STORE_MIN_FREE_BYTES"] = "0",
    };

    [Fact]
    public void Ingest_prints_a_json_line_per_file_and_exits_2_with_one_line_per_rejected_file()
    {
        var dir = TestCalls.TempDir("qa-cli");
        var input = Path.Combine(dir, "in");
        var wav = TestCalls.WriteCall(input, "good", 1);
        File.Copy(wav, Path.Combine(input, "same-audio-other-name.wav"));
        File.WriteAllBytes(Path.Combine(input, "bundle.wav"), [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]);
        var env = Env(dir);

        var (exit, stdout, stderr) = QaProcess.Run(env, "ingest", input);
        Assert.Equal(2, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal("archives are not accepted (zip); upload the recording itself", lines[0].GetProperty("error").GetString());
        Assert.Equal(lines[1].GetProperty("call_id").GetInt64(), lines[2].GetProperty("call_id").GetInt64());
        Assert.True(lines[1].GetProperty("imported_transcript").GetBoolean());
        Assert.True(lines[2].GetProperty("duplicate").GetBoolean());
        Assert.Equal($"qa: rejected {Path.Combine(input, "bundle.wav")}: archives are not accepted (zip); upload the recording itself",
            stderr.Trim().Split('\n').Last());

        var list = QaProcess.Run(env, "calls", "list");
        Assert.Equal(0, list.Exit);
        var call = JsonDocument.Parse(list.Stdout.Trim()).RootElement;
        Assert.Equal(("pending", "A01"), (call.GetProperty("status").GetString(), call.GetProperty("agent_id").GetString()));
    }

    [Fact]
    public void Bad_input_gives_one_line_errors_and_exit_2()
    {
        var env = Env(TestCalls.TempDir("qa-cli"));
        var missing = QaProcess.Run(env, "ingest", "/no/such/recording.wav");
        Assert.Equal((2, "qa: error: no such file or folder: /no/such/recording.wav"), (missing.Exit, missing.Stderr.Trim()));
        var retry = QaProcess.Run(env, "calls", "retry", "42");
        Assert.Equal(2, retry.Exit);
        Assert.Equal("{\"call_id\":42,\"retried\":false}", retry.Stdout.Trim());
        var badDb = QaProcess.Run(new Dictionary<string, string>(env) { ["QA_DB"] = "oracle" }, "calls", "list");
        Assert.Equal((2, "qa: error: QA_DB must be sqlite, postgres or sqlserver (got 'oracle')"), (badDb.Exit, badDb.Stderr.Trim()));
        var since = QaProcess.Run(env, "rescore", "--rubric", TestCalls.Rubric, "--since", "yesterday-ish");
        Assert.Equal((2, "qa: error: --since 'yesterday-ish' is not a date (use e.g. 2026-03-01)"), (since.Exit, since.Stderr.Trim()));
    }
}
