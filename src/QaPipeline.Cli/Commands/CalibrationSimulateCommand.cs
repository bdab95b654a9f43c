using System.CommandLine;
using System.Text.Json;
using QaPipeline.Learning.Model;
using QaPipeline.Learning.Simulation;

namespace QaPipeline.Cli.Commands;

/// <summary>
/// <c>qa calibration simulate</c>: runs the learning loop on a simulated review history and prints how early each
/// ordering of the review queue surfaces the verdicts reviewers overturn (JSON on stdout, progress on stderr).
/// A benchmark, not a unit test: it prints figures and asserts nothing.
/// </summary>
public static class CalibrationSimulateCommand
{
    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the simulated history", DefaultValueFactory = _ => new SimulationSettings().Seed };
        var days = new Option<int>("--days") { Description = "Days of reviews", DefaultValueFactory = _ => new SimulationSettings().Days };
        var calls = new Option<int>("--calls-per-day") { Description = "Reviewed calls per day (18 item verdicts each)", DefaultValueFactory = _ => new SimulationSettings().ReviewedCallsPerDay };
        var capacity = new Option<int>("--capacity") { Description = "Item verdicts the review team checks per day", DefaultValueFactory = _ => new LearningOptions().DailyCapacity };
        var models = new Option<DirectoryInfo?>("--models") { Description = "Model registry folder to write (default: a fresh temporary folder, removed afterwards)" };
        var command = new Command("simulate", "Learning-loop benchmark on a simulated review history: learned vs rule-based vs random queue order")
        {
            seed, days, calls, capacity, models,
        };
        command.SetAction(parse =>
        {
            var settings = new SimulationSettings { Seed = parse.GetValue(seed), Days = parse.GetValue(days), ReviewedCallsPerDay = parse.GetValue(calls) };
            if (settings.Days < 3) throw new UserInputException("--days must be at least 3");
            if (settings.ReviewedCallsPerDay < 1) throw new UserInputException("--calls-per-day must be at least 1");
            var cap = parse.GetValue(capacity);
            if (cap < 1) throw new UserInputException("--capacity must be at least 1");
            var options = new LearningOptions { DailyCapacity = cap, MinimumReviews = 1000, NewReviewsBeforeRetrain = 500 };
            var chosen = parse.GetValue(models);
            var folder = chosen?.FullName ?? Path.Combine(Path.GetTempPath(), $"qa-models-{Guid.NewGuid():N}");
            if (chosen is not null && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
                throw new UserInputException($"--models folder is not empty: {folder}");
            Console.Error.WriteLine($"qa: simulating {settings.Days} days x {settings.ReviewedCallsPerDay} calls (seed {settings.Seed}), training and ranking...");
            try
            {
                var result = LearningBenchmark.Run(settings, options, folder);
                Console.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions
                {
                    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                    WriteIndented = true,
                    Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                    Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
                }));
            }
            finally
            {
                if (chosen is null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }
}
