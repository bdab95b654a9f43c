using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using QaPipeline.Scoring.Contracts;

namespace QaPipeline.Learning.Model;

/// <summary>How a model (or an ordering) did on held-out reviews it never saw in training.</summary>
public sealed record ModelEvaluation(
    int HeldOutReviews,
    int HeldOutOverturned,
    double? Auc,
    int DailyCapacity,
    double? PrecisionAtDailyCapacity,
    double? FoundInFirstTenPercent);

/// <summary>
/// The metadata kept beside each model version (<c>model.json</c> next to <c>model.zip</c>): what it was trained on
/// (reviews up to <see cref="TrainedOnReviewsUpTo"/>; the newer ones up to <see cref="ReviewsUpTo"/> were held out),
/// how it did on held-out reviews, how the model in service did on the same held-out reviews, and the decision.
/// </summary>
public sealed record ModelCard(
    string Version,
    DateTimeOffset TrainedAt,
    int TrainingReviews,
    DateTimeOffset TrainedOnReviewsUpTo,
    DateTimeOffset ReviewsUpTo,
    ModelEvaluation Evaluation,
    string? ChampionVersion,
    ModelEvaluation? ChampionOnSameHeldOut,
    bool Promoted,
    string Decision);

/// <summary>
/// Model versions in a folder the caller chooses: <c>v0001/model.zip</c> + <c>v0001/model.json</c>, ... and
/// <c>current.json</c> naming the version in service. Versions are never overwritten or deleted, so any past ranking
/// can be explained; only <c>current.json</c> moves, and only forward to a model that did better (see <see cref="Retraining"/>).
/// </summary>
public sealed class ModelRegistry
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public ModelRegistry(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    private string CurrentPointer => Path.Combine(Folder, "current.json");

    /// <summary>The card of the model in service, or null before the first promotion.</summary>
    public ModelCard? Current
    {
        get
        {
            if (!File.Exists(CurrentPointer)) return null;
            return ReadCard(ReadJson<CurrentVersion>(CurrentPointer).Version);
        }
    }

    /// <summary>Every registered version, oldest first.</summary>
    public IReadOnlyList<ModelCard> Versions() =>
        Directory.GetDirectories(Folder, "v*").Select(Path.GetFileName).Where(v => File.Exists(CardPath(v!)))
            .Order(StringComparer.Ordinal).Select(v => ReadCard(v!)).ToList();

    public DisagreementModel Load(string version) => DisagreementModel.Load(Path.Combine(Folder, version, "model.zip"));

    public string NextVersion()
    {
        var last = Directory.GetDirectories(Folder, "v*").Select(Path.GetFileName)
            .Select(v => int.TryParse(v![1..], out var n) ? n : 0).DefaultIfEmpty(0).Max();
        return $"v{last + 1:D4}";
    }

    /// <summary>Stores a version; when the card says promoted, points <c>current.json</c> at it (written to a temp file, then moved, so a reader never sees half a file).</summary>
    public void Register(DisagreementModel model, ModelCard card)
    {
        var dir = Path.Combine(Folder, card.Version);
        if (Directory.Exists(dir)) throw new InvalidOperationException($"model version {card.Version} already exists in {Folder}");
        Directory.CreateDirectory(dir);
        model.Save(Path.Combine(dir, "model.zip"));
        File.WriteAllText(CardPath(card.Version), JsonSerializer.Serialize(card, Json));
        if (!card.Promoted) return;
        var temp = CurrentPointer + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new CurrentVersion(card.Version), Json));
        File.Move(temp, CurrentPointer, overwrite: true);
    }

    private string CardPath(string version) => Path.Combine(Folder, version, "model.json");

    private ModelCard ReadCard(string version) => ReadJson<ModelCard>(CardPath(version));

    /// <summary>The registry's own files, read the project's one way: a damaged file is one line naming it.</summary>
    private static T ReadJson<T>(string path) where T : class =>
        ContractJson.Read(File.ReadAllText(path), (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T)), $"{path}: not a model registry file");

    private sealed record CurrentVersion(string Version);
}
