using QaPipeline.Storage;

namespace QaPipeline.Centre;

/// <summary>
/// Everything an operator sets, made from the QA_* variables by <see cref="Configuration.QaVariables"/> (the one place they
/// are named and checked). Defaults give the embedded single-node set-up: SQLite and the recording store under ./data.
/// Fixed for the life of a process: what an admin changes while the centre runs is <see cref="RubricSelection"/> and
/// the live <see cref="ReviewFlagOptions"/>, through <c>IOptionsMonitor</c> (<see cref="CentreSettings"/>).
/// </summary>
public sealed class PipelineOptions
{
    public DatabaseEngine Engine { get; set; } = DatabaseEngine.Sqlite;
    /// <summary>QA_DB_CONNECTION. For SQLite a file path is enough.</summary>
    public string ConnectionString { get; set; } = "data/qa.db";
    /// <summary>QA_STORE: root of the content-addressed recording store (a shared mount when scaled out).</summary>
    public string StorePath { get; set; } = "data/store";
    /// <summary>QA_RUBRIC: the rubric file new calls are scored against until an admin chooses another (the live choice is
    /// <see cref="RubricSelection"/>).</summary>
    public string RubricPath { get; set; } = "scoring-rules/zh-CN.yaml";
    /// <summary>QA_MODEL: the whisper.cpp model for calls without an imported transcript.</summary>
    public string? WhisperModel { get; set; }
    /// <summary>QA_WATCH: a folder the telephony platform writes recordings to; empty = no watch folder.</summary>
    public string? WatchFolder { get; set; }
    /// <summary>QA_QUEUES: the roles of this node (see <c>QaPipeline.Pipeline.Stages.StageQueues</c>): "asr" = transcription, "default" =
    /// every other stage and the maintenance jobs; "asr" alone makes an ASR-only node.</summary>
    public string[] Queues { get; set; } = ["asr", "default"];
    /// <summary>QA_WORKERS: Hangfire worker threads on this node.</summary>
    public int WorkerCount { get; set; } = Math.Max(2, Environment.ProcessorCount);
    /// <summary>QA_MAX_UPLOAD_BYTES: larger recordings are refused (a 2-hour 16 kHz stereo WAV is ~460 MB).</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;
    /// <summary>QA_STORE_MIN_FREE_BYTES: refuse new recordings when the store's disk has less free space than this.</summary>
    public long StoreMinFreeBytes { get; set; } = 256L * 1024 * 1024;
    /// <summary>QA_ANALYZE: an external analyser instead of the in-process audio stage (argv template, {audio} is
    /// substituted; it must print the <c>qa analyze</c> JSON). QA_TRANSCRIBE: the speech tool, default this qa
    /// binary's own <c>transcribe</c> command, run out of process ({audio}, {model}).</summary>
    public string[]? AnalyzeCommand { get; set; }
    /// <summary>QA_FFMPEG / QA_FFPROBE: the decoder executables of the in-process audio stage.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";
    public string FfprobePath { get; set; } = "ffprobe";
    /// <summary>QA_FFMPEG_STALL_S: ffmpeg is killed when it produces no audio for this long.</summary>
    public TimeSpan FfmpegStallTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>QA_VAD_MODEL: Silero VAD ONNX model (default models/silero_vad.onnx, see docs/audio.md).</summary>
    public string? VadModel { get; set; }
    /// <summary>QA_SPEAKER_MODEL: speaker-embedding ONNX model that separates mono calls (unset: the built-in cepstral
    /// separator; see docs/audio.md).</summary>
    public string? SpeakerModel { get; set; }
    /// <summary>QA_SPEAKER_MAX_SIMILARITY: with a speaker model, two voices more alike than this are one speaker
    /// (unset: the separator's default; measure the model with <c>qa bench diarization --speaker-model</c>).</summary>
    public double? SpeakerMaxSimilarity { get; set; }
    public string[]? TranscribeCommand { get; set; }
    /// <summary>QA_ANALYZE=off scores without acoustic facts (timing/silence items become N/A).</summary>
    public bool AnalyzeAudio { get; set; } = true;
    /// <summary>QA_TOOL_TIMEOUT_S: per-attempt limit for the stage tools; a hung ffmpeg is killed after it.</summary>
    public TimeSpan AnalyzeTimeout { get; set; } = TimeSpan.FromSeconds(120);
    public TimeSpan TranscribeTimeout { get; set; } = TimeSpan.FromMinutes(20);
    /// <summary>QA_INVISIBILITY_TIMEOUT_S (PostgreSQL): how long a job fetched by a worker that died stays hidden.</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>QA_ADMISSION_WINDOW: calls in the workers' hands at once, cluster-wide. Unset = twice the worker
    /// threads of all nodes; the rest wait in the tables, in priority and fair-share order.</summary>
    public int? AdmissionWindow { get; set; }
    /// <summary>QA_METRICS_PORT: also serve the Prometheus metrics on this port (any node, <c>qa worker</c> included),
    /// on QA_METRICS_HOST (default localhost; no authentication there, so expose it only to the monitoring network).</summary>
    public int? MetricsPort { get; set; }
    public string MetricsHost { get; set; } = "localhost";
    /// <summary>QA_STALL_TIMEOUT_S: a claimed call with no stage activity for this long has lost its job and is
    /// enqueued again. Long enough that a call merely waiting in a deep ASR backlog is rarely re-enqueued (which
    /// would only cost a duplicate, idempotent job).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>QA_ADMIN_PASSWORD: the password of the first "admin" account the web app creates on an empty database
    /// (unset: a random one, logged once). A password to sign in with, never an HTTP header.</summary>
    public string? AdminPassword { get; set; }
    /// <summary>QA_API_KEY: what machines send as X-Api-Key (<see cref="Access.CallerAccess"/>): uploads, and the operator
    /// API on a host without the web app. Unset = no machine is let in.</summary>
    public string? ApiKey { get; set; }
    public ReviewFlagOptions Review { get; set; } = new();

    /// <summary>Where review-priority model versions are kept (<c>&lt;QA_DATA&gt;/models/review-priority</c>).</summary>
    public string ReviewModelFolder { get; set; } = Path.Combine("data", "models", "review-priority");

    /// <summary>Cron of the retraining job (QA_REVIEW_MODEL_CRON, default hourly); null = not scheduled ("off").</summary>
    public string? ReviewModelSchedule { get; set; } = "0 * * * *";

    /// <summary>How often a node re-reads the admin's settings (QA_SETTINGS_REFRESH_S, default 30 s).</summary>
    public TimeSpan SettingsRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cron of the recording-retention job (QA_RETENTION_CRON, default daily at 03:15 UTC); null = not scheduled ("off").</summary>
    public string? RetentionSchedule { get; set; } = "15 3 * * *";

    /// <summary>Limits of the learning loop (QA_REVIEW_MODEL_MIN_REVIEWS sets the labelled verdicts needed before a model is trusted).</summary>
    public QaPipeline.Learning.Model.LearningOptions Learning { get; set; } = new();
}

/// <summary>When a scored call goes to a human (the review queues of the web app). The start-up values are
/// <see cref="PipelineOptions.Review"/>; the ones in force are <c>IOptionsMonitor&lt;ReviewFlagOptions&gt;</c> (an admin
/// changes the sample rate and threshold while the centre runs).</summary>
public sealed class ReviewFlagOptions
{
    /// <summary>Scores below this (percent of the maximum) are flagged.</summary>
    public double ScoreThreshold { get; set; } = 80;
    /// <summary>A transcript whose least confident segment is below this is flagged: the machine may have misheard.</summary>
    public double MinAsrConfidence { get; set; } = 0.5;
    /// <summary>抽样比例: share of each agent's calls sampled for review even when nothing else flags them.</summary>
    public double SampleRate { get; set; } = 0.05;
    /// <summary>Every agent gets at least this many reviewed calls per sampling period.</summary>
    public int MinimumPerAgent { get; set; } = 1;
    public SamplePeriod Period { get; set; } = SamplePeriod.Week;
    /// <summary>Changing the seed draws a different (still reproducible) sample.</summary>
    public string Seed { get; set; } = "qa";
}

public enum SamplePeriod { Day, Week, Month }

/// <summary>A rubric file that applies to calls started from an instant (UTC) on.</summary>
public sealed record RubricSchedule(string Path, DateTime From)
{
    /// <summary>The setting's text: <c>FROM|PATH</c>, FROM as ISO 8601 UTC.</summary>
    public override string ToString() => From.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) + "|" + Path;

    /// <summary>The setting read back; null for an empty value (no schedule) or one that does not parse.</summary>
    public static RubricSchedule? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.IndexOf('|') is var bar && bar <= 0) return null;
        return DateTime.TryParse(value[..bar], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var from)
            ? new RubricSchedule(value[(bar + 1)..], from) : null;
    }
}
