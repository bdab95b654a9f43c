using System.Reflection;
using Polly;
using QaPipeline.Audio;
using QaPipeline.Centre.Resilience;

namespace QaPipeline.Pipeline.Stages;

/// <summary>
/// Runs a stage's native work (ffmpeg decoding, whisper.cpp) in a child process: a hung decoder is killed at
/// its time limit and a native crash costs one attempt, never the worker. The default tool is this qa binary's
/// own <c>analyze</c>/<c>transcribe</c> command (the CLI contract), so the stages reuse exactly what users run.
/// Exit code 2 is the contract's "bad input" and parks the call; a crash or hang is retried once. The child runs
/// through the one process runner, <see cref="ToolProcess"/> (QaPipeline.Audio).
/// </summary>
public sealed class StageTool(string[] argvTemplate, TimeSpan attemptTimeout, string name)
{
    private readonly ResiliencePipeline _resilience = FaultPolicies.ExternalTool(attemptTimeout);

    /// <summary>argv of this very qa binary with the given arguments.</summary>
    public static string[] SelfCommand(params string[] args)
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 }
            ? [process, entry, .. args]
            : [process, .. args];
    }

    /// <summary>Runs the tool with the template's placeholders filled in and <paramref name="options"/> appended
    /// (the call's language, channel and rubric, as <c>qa analyze</c>/<c>qa transcribe</c> options).</summary>
    public async Task<string> Run(IReadOnlyDictionary<string, string> values, CancellationToken ct, params string[] options)
    {
        string[] argv = [.. argvTemplate.Select(a => values.Aggregate(a, (s, kv) => s.Replace("{" + kv.Key + "}", kv.Value))), .. options];
        try
        {
            return await _resilience.ExecuteAsync(token => new ValueTask<string>(RunOnce(argv, name, token)), ct);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            throw new PermanentStageFailure($"{name} did not finish within {attemptTimeout.TotalSeconds:0} s (killed, tried twice)");
        }
        catch (ToolCrashedException e)
        {
            throw new PermanentStageFailure($"{name}: {e.Message}");
        }
    }

    private static async Task<string> RunOnce(string[] argv, string name, CancellationToken ct)
    {
        using var process = ToolProcess.Start(argv[0], argv[1..], stallTimeout: null, ct,
            reason => new PermanentStageFailure($"cannot run {argv[0]}: {reason}"));
        var (exit, stdout) = await process.RunToEndAsync(ct);
        var err = process.LastStderrLine;
        return exit switch
        {
            0 => stdout,
            2 => throw new PermanentStageFailure($"{name}: {err ?? "the recording was rejected"}"),
            _ => throw new ToolCrashedException($"exit {exit}{(err is null ? "" : ": " + err)}"),
        };
    }
}

/// <summary><c>qa analyze AUDIO</c> as the audio stage (<c>--agent-channel right</c> for such recordings).</summary>
public sealed class ToolAcousticAnalysis(StageTool tool) : IAcousticAnalysis
{
    public async Task<QaPipeline.Scoring.Acoustics.AcousticFacts> Analyse(string audioPath, string agentChannel,
        QaPipeline.Scoring.Transcripts.SpeakerRole firstSpeaker, CancellationToken ct)
    {
        string[] options = [.. agentChannel == Storage.AgentChannels.Right ? ["--agent-channel", "right"] : Array.Empty<string>(),
            .. firstSpeaker == QaPipeline.Scoring.Transcripts.SpeakerRole.Customer ? ["--first-speaker", "customer"] : Array.Empty<string>()];
        var json = await tool.Run(new Dictionary<string, string> { ["audio"] = audioPath }, ct, options);
        try
        {
            return QaPipeline.Scoring.Acoustics.AcousticFactsJson.Parse(json);
        }
        catch (FormatException e)
        {
            throw new PermanentStageFailure($"analysis output unreadable: {e.Message}");
        }
    }
}

/// <summary><c>qa transcribe AUDIO --model FILE --language L --agent-channel C [--rubric FILE]</c> as the speech stage.</summary>
public sealed class ToolSpeechToText(StageTool tool, string? modelPath) : ISpeechToText
{
    public async Task<QaPipeline.Scoring.Transcripts.Transcript> Transcribe(string audioPath, SpeechHints hints, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(modelPath))
            throw new PermanentStageFailure("no imported transcript and no whisper model configured (set QA_MODEL)");
        if (!File.Exists(modelPath))
            throw new PermanentStageFailure($"whisper model not found: {modelPath}");
        string[] options = ["--language", hints.Language, "--agent-channel", hints.AgentChannel,
            .. hints.RubricPath is null ? Array.Empty<string>() : ["--rubric", hints.RubricPath],
            .. hints.SpeakerTurnsPath is null ? Array.Empty<string>() : ["--speaker-turns", hints.SpeakerTurnsPath]];
        var json = await tool.Run(new Dictionary<string, string> { ["audio"] = audioPath, ["model"] = Path.GetFullPath(modelPath) }, ct, options);
        try
        {
            return QaPipeline.Scoring.Transcripts.TranscriptFormat.Parse(json);
        }
        catch (FormatException e)
        {
            throw new PermanentStageFailure($"transcription output unreadable: {e.Message}");
        }
    }
}
