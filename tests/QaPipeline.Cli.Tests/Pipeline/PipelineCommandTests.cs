using System.Text.Json;
using QaPipeline.TestSupport;

namespace QaPipeline.Cli.Tests.Pipeline;

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

    [Theory]
    [MemberData(nameof(EngineFixture.All), MemberType = typeof(EngineFixture))]
    public void Ingest_wait_prints_one_line_per_finished_call_with_its_rubric_and_exits_1_when_a_call_failed(string engine)
    {
        var dir = TestCalls.TempDir("qa-wait");
        var input = Path.Combine(dir, "in");
        var good = TestCalls.WriteCall(input, "good", 1);
        TestCalls.WriteCall(input, "english", 2, """
            Agent: Good morning, thank you for calling, my name is Lily, how may I help you?
            Customer: I would like to check my order please.
            Agent: Thank you for calling, have a nice day, goodbye.
            """, agent: null);
        File.WriteAllText(Path.Combine(input, "english.json"), """{"call_id": "E-1", "queue": "international", "direction": "inbound"}""");
        TestCalls.WriteCall(input, "outbound", 3, agent: null);
        File.WriteAllText(Path.Combine(input, "outbound.json"), """{"call_id": "O-1", "direction": "outbound", "agent_channel": "right"}""");
        TestCalls.WriteCall(input, "noscript", 4, dialogue: null);
        var env = new Dictionary<string, string>(Env(dir)) { ["QA_ANALYZE"] = "off", ["QA_SWEEP_MS"] = "200" };
        if (engine != "sqlite") (env["QA_DB"], env["QA_DB_CONNECTION"]) = (engine, engines.NewDatabase(engine).ConnectionString);

        var (exit, stdout, stderr) = QaProcess.Run(env, "ingest", input, "--wait", "--timeout", "100");
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(l => l.GetProperty("original_name").GetString()!);
        Assert.Equal(["english.wav", "good.wav", "noscript.wav", "outbound.wav"], lines.Keys.Order(StringComparer.Ordinal));
        string[] contract = ["call_id", "external_call_id", "original_name", "status", "rubric", "rubric_version", "score", "fatal"];
        Assert.All(lines.Values, l => Assert.All(contract, key => Assert.True(l.TryGetProperty(key, out _), $"{key} missing in {l}")));
        (string?, string?, string?) Line(string name) =>
            (lines[name].GetProperty("status").GetString(), lines[name].GetProperty("rubric").GetString(), lines[name].GetProperty("external_call_id").GetString());
        Assert.Equal(("scored", "zh-CN", "C-1"), Line("good.wav"));
        Assert.Equal(("scored", "en-US", "E-1"), Line("english.wav"));
        Assert.Equal(("scored", "outbound-zh-CN", "O-1"), Line("outbound.wav"));
        Assert.Equal("2026.11.1", lines["good.wav"].GetProperty("rubric_version").GetString());
        Assert.Equal(100, lines["good.wav"].GetProperty("score").GetDouble());
        Assert.False(lines["good.wav"].GetProperty("fatal").GetBoolean());
        Assert.Equal("failed", lines["noscript.wav"].GetProperty("status").GetString());
        Assert.Equal("transcribe: no imported transcript and no whisper model configured (set QA_MODEL)", lines["noscript.wav"].GetProperty("error").GetString());

        // Everything already finished: --wait prints the same lines at once, and exits 0 without the failed call.
        File.Delete(Path.Combine(input, "noscript.wav"));
        var again = QaProcess.Run(env, "ingest", good, "--wait");
        Assert.Equal(0, again.Exit);
        var line = JsonDocument.Parse(again.Stdout.Trim()).RootElement;
        Assert.Equal((lines["good.wav"].GetProperty("call_id").GetInt64(), "scored"), (line.GetProperty("call_id").GetInt64(), line.GetProperty("status").GetString()));
    }

    [Fact]
    public void Ingest_wait_exits_non_zero_when_the_timeout_passes_and_prints_no_line_for_the_unfinished_call()
    {
        var dir = TestCalls.TempDir("qa-wait-timeout");
        var input = Path.Combine(dir, "in");
        TestCalls.WriteCall(input, "slow", 1, dialogue: null);
        var model = Path.Combine(dir, "model.bin");
        File.WriteAllText(model, "stand-in model");
        var script = Path.Combine(dir, "transcribe.sh");
        File.WriteAllText(script, "#!/bin/sh\nsleep 8\nexit 1\n");
        var env = new Dictionary<string, string>(Env(dir))
        {
            ["QA_ANALYZE"] = "off", ["QA_SWEEP_MS"] = "200", ["QA_MODEL"] = model, ["QA_TRANSCRIBE"] = $"/bin/sh {script} {{audio}}",
        };
        var (exit, stdout, stderr) = QaProcess.Run(env, "ingest", input, "--wait", "--timeout", "2");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("qa: error: --timeout of 2 s passed with 1 call(s) unfinished (call_id 1)", stderr);

        var noWait = QaProcess.Run(env, "ingest", input, "--timeout", "2");
        Assert.Equal((2, "qa: error: --timeout needs --wait"), (noWait.Exit, noWait.Stderr.Trim()));
    }

    [Fact]
    public void Rules_validate_checks_a_routing_file_against_the_rubrics_beside_it()
    {
        var env = Env(TestCalls.TempDir("qa-cli"));
        var shipped = QaProcess.Run(env, "rules", "validate", "scoring-rules/routing.yaml");
        Assert.Equal(0, shipped.Exit);
        Assert.StartsWith("ok: scoring-rules/routing.yaml — 2 rules, default zh-CN (rubrics beside it: en-US, outbound-zh-CN, zh-CN)", shipped.Stdout);

        var rules = Directory.CreateDirectory(Path.Combine(TestCalls.TempDir("qa-cli-routing"), "rules")).FullName;
        File.Copy(TestCalls.Rubric, Path.Combine(rules, "zh-CN.yaml"));
        var routing = Path.Combine(rules, "routing.yaml");
        File.WriteAllText(routing, "rules:\n  - name: outbound\n    when: { direction: outbound }\n    rubric: outbound-zh-CN\ndefault: zh-CN\n");
        var broken = QaProcess.Run(env, "rules", "validate", routing);
        Assert.Equal((2, $"qa: error: {routing}:4: rules[0].rubric: unknown rubric 'outbound-zh-CN' (known: zh-CN)"), (broken.Exit, broken.Stderr.Trim()));
    }
}
