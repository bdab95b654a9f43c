using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Centre.Configuration;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Tests.Hosting;

/// <summary>The QA_* variables bound into the options, and a bad one refused at start with one line naming it.</summary>
public sealed class QaVariablesTests
{
    private static IConfiguration Config(params (string Key, string Value)[] variables) =>
        new ConfigurationBuilder().AddInMemoryCollection(variables.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Every_variable_reaches_its_option_in_the_options_units()
    {
        var o = QaConfiguration.Options(Config(
            ("QA_DB", "postgres"), ("QA_DB_CONNECTION", "Host=db"), ("QA_DATA", "/srv/qa"), ("QA_RUBRIC", "rules/en-US.yaml"),
            ("QA_QUEUES", "asr, default"), ("QA_WORKERS", "3"), ("QA_MAX_UPLOAD_BYTES", "1000"), ("QA_STORE_MIN_FREE_BYTES", "0"),
            ("QA_ANALYZE", "off"), ("QA_TRANSCRIBE", "tool {audio} {model}"), ("QA_FFMPEG_STALL_S", "7"), ("QA_STALL_TIMEOUT_S", "60"),
            ("QA_TOOL_TIMEOUT_S", "9"), ("QA_INVISIBILITY_TIMEOUT_S", "11"), ("QA_ADMISSION_WINDOW", "40"), ("QA_METRICS_PORT", "9100"),
            ("QA_SWEEP_MS", "250"), ("QA_REVIEW_MODEL_CRON", "off"), ("QA_RETENTION_CRON", "0 4 * * *"), ("QA_SETTINGS_REFRESH_S", "5"),
            ("QA_REVIEW_MODEL_MIN_REVIEWS", "12"), ("QA_API_KEY", "0123456789abcdef"), ("QA_SCORE_THRESHOLD", "72.5"), ("QA_SAMPLE_RATE", "0.1"),
            ("QA_WATCH", "")));
        Assert.Equal((DatabaseEngine.Postgres, "Host=db"), (o.Engine, o.ConnectionString));
        Assert.Equal(Path.Combine("/srv/qa", "store"), o.StorePath);
        Assert.Equal(Path.Combine("/srv/qa", "models", "review-priority"), o.ReviewModelFolder);
        Assert.Equal("rules/en-US.yaml", o.RubricPath);
        Assert.Equal(["asr", "default"], o.Queues);
        Assert.Equal((3, 1000L, 0L), (o.WorkerCount, o.MaxUploadBytes, o.StoreMinFreeBytes));
        Assert.False(o.AnalyzeAudio);
        Assert.Equal(["tool", "{audio}", "{model}"], o.TranscribeCommand!);
        Assert.Equal((7, 60, 9, 9, 11), ((int)o.FfmpegStallTimeout.TotalSeconds, (int)o.StallTimeout.TotalSeconds,
            (int)o.AnalyzeTimeout.TotalSeconds, (int)o.TranscribeTimeout.TotalSeconds, (int)o.InvisibilityTimeout.TotalSeconds));
        Assert.Equal((40, 9100, 250.0, 5.0), (o.AdmissionWindow, o.MetricsPort, o.SweepInterval.TotalMilliseconds, o.SettingsRefresh.TotalSeconds));
        Assert.Null(o.ReviewModelSchedule);
        Assert.Equal("0 4 * * *", o.RetentionSchedule);
        Assert.Equal(12, o.Learning.MinimumReviews);
        Assert.Equal("0123456789abcdef", o.ApiKey);
        Assert.Equal((72.5, 0.1), (o.Review.ScoreThreshold, o.Review.SampleRate));
        Assert.Null(o.WatchFolder); // an empty variable is unset
    }

    [Fact]
    public void Unset_variables_leave_the_single_node_defaults()
    {
        var o = QaConfiguration.Options(Config());
        Assert.Equal((DatabaseEngine.Sqlite, Path.Combine("data", "qa.db"), Path.Combine("data", "store")), (o.Engine, o.ConnectionString, o.StorePath));
        Assert.True(o.AnalyzeAudio);
        Assert.Equal((80.0, 0.05), (o.Review.ScoreThreshold, o.Review.SampleRate));
        Assert.Equal("0 * * * *", o.ReviewModelSchedule);
    }

    [Theory]
    [InlineData("QA_WORKERS", "abc", "QA_WORKERS must be a positive whole number (got 'abc')")]
    [InlineData("QA_WORKERS", "0", "QA_WORKERS must be a positive whole number (got '0')")]
    [InlineData("QA_SWEEP_MS", "-5", "QA_SWEEP_MS must be a positive whole number (got '-5')")]
    [InlineData("QA_SAMPLE_RATE", "five", "QA_SAMPLE_RATE must be a number (got 'five')")]
    [InlineData("QA_SAMPLE_RATE", "5", "QA_SAMPLE_RATE must be a share from 0 to 1 (got '5')")]
    [InlineData("QA_SCORE_THRESHOLD", "120", "QA_SCORE_THRESHOLD must be a percentage from 0 to 100 (got '120')")]
    [InlineData("QA_SPEAKER_MAX_SIMILARITY", "1.5", "QA_SPEAKER_MAX_SIMILARITY must be a cosine similarity from -1 to 1 (got '1.5')")]
    [InlineData("QA_DB", "oracle", "QA_DB must be sqlite, postgres or sqlserver (got 'oracle')")]
    [InlineData("QA_DB", "postgres", "QA_DB=postgres needs QA_DB_CONNECTION")]
    [InlineData("QA_API_KEY", "short-key-15chr", "QA_API_KEY must be at least 16 characters (got 15); use a long random secret, e.g. `openssl rand -hex 24`")]
    public void A_bad_variable_is_one_line_naming_it(string variable, string value, string error)
    {
        var e = Assert.Throws<ArgumentException>(() => QaConfiguration.Options(Config((variable, value))));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void A_speaker_model_that_is_not_there_is_refused_at_start_and_one_that_is_reaches_the_options()
    {
        var e = Assert.Throws<ArgumentException>(() => QaConfiguration.Options(Config(("QA_SPEAKER_MODEL", "/nonexistent/speaker.onnx"))));
        Assert.Equal("QA_SPEAKER_MODEL: no such file '/nonexistent/speaker.onnx' (a speaker-embedding ONNX model; leave it unset for the built-in separator)", e.Message);

        var model = Path.GetTempFileName();
        try
        {
            var o = QaConfiguration.Options(Config(("QA_SPEAKER_MODEL", model), ("QA_SPEAKER_MAX_SIMILARITY", "0.55")));
            Assert.Equal((model, 0.55), (o.SpeakerModel, o.SpeakerMaxSimilarity));
            Assert.Null(QaConfiguration.Options(Config()).SpeakerModel);
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void An_empty_api_key_is_unset_and_a_long_one_is_taken()
    {
        Assert.Null(QaConfiguration.Options(Config(("QA_API_KEY", ""))).ApiKey);
        Assert.Equal(new string('k', 16), QaConfiguration.Options(Config(("QA_API_KEY", new string('k', 16)))).ApiKey);
    }

    [Fact]
    public async Task A_host_with_a_bad_variable_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddQaVariables(Config(("QA_METRICS_PORT", "0")));
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal("QA_METRICS_PORT must be a positive whole number (got '0')", e.Failures.Single());
    }
}
