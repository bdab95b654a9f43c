using System.Globalization;

namespace QaPipeline.Calibration.Agreement;

/// <summary>One rater's value for one unit; a null value means the rater did not rate that unit.</summary>
public sealed record Rating(string Unit, string Rater, string? Value);

/// <summary>How the values of a variable may be compared (Krippendorff 2011, "difference functions").</summary>
public enum MeasurementLevel { Nominal, Ordinal, Interval, Ratio }

/// <summary>
/// Reliability data in Krippendorff's canonical form: units by raters, each cell one value or missing.
/// Units and raters keep the order in which they first appear, so reports read like the input.
/// </summary>
public sealed class RatingTable
{
    private readonly string?[,] _values;

    private RatingTable(IReadOnlyList<string> units, IReadOnlyList<string> raters, string?[,] values)
    {
        Units = units;
        Raters = raters;
        _values = values;
    }

    public IReadOnlyList<string> Units { get; }
    public IReadOnlyList<string> Raters { get; }

    /// <summary>The value rater <paramref name="rater"/> gave unit <paramref name="unit"/>, or null when missing.</summary>
    public string? this[int unit, int rater] => _values[unit, rater];

    /// <summary>True when every rater rated every unit.</summary>
    public bool IsComplete
    {
        get
        {
            foreach (var v in _values) if (v is null) return false;
            return true;
        }
    }

    /// <summary>Number of values present for one unit.</summary>
    public int RatingsOf(int unit)
    {
        var m = 0;
        for (var r = 0; r < Raters.Count; r++) if (_values[unit, r] is not null) m++;
        return m;
    }

    /// <summary>The present values of one unit, in rater order.</summary>
    public IReadOnlyList<string> ValuesOf(int unit)
    {
        var list = new List<string>();
        for (var r = 0; r < Raters.Count; r++) if (_values[unit, r] is { } v) list.Add(v);
        return list;
    }

    /// <summary>
    /// Builds the table from long-format ratings. A second value for the same unit and rater is an error:
    /// silently keeping one of them would change the statistics without anyone noticing.
    /// </summary>
    public static RatingTable FromRatings(IEnumerable<Rating> ratings)
    {
        var units = new List<string>();
        var raters = new List<string>();
        var unitIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var raterIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var cells = new Dictionary<(int, int), string?>();
        foreach (var rating in ratings)
        {
            if (!unitIndex.TryGetValue(rating.Unit, out var u)) { u = units.Count; unitIndex[rating.Unit] = u; units.Add(rating.Unit); }
            if (!raterIndex.TryGetValue(rating.Rater, out var r)) { r = raters.Count; raterIndex[rating.Rater] = r; raters.Add(rating.Rater); }
            var value = string.IsNullOrWhiteSpace(rating.Value) ? null : rating.Value.Trim();
            if (cells.TryGetValue((u, r), out var existing) && (existing is not null || value is not null) && existing != value)
                throw new FormatException($"unit '{rating.Unit}' has two values from rater '{rating.Rater}'");
            if (!cells.TryGetValue((u, r), out var kept) || kept is null) cells[(u, r)] = value;
        }
        var values = new string?[units.Count, raters.Count];
        foreach (var ((u, r), v) in cells) values[u, r] = v;
        return new RatingTable(units, raters, values);
    }

    /// <summary>Builds a complete table from a units × raters matrix of numbers (unit and rater names are 1-based indices).</summary>
    public static RatingTable FromMatrix(double?[,] matrix)
    {
        var ratings = new List<Rating>();
        for (var u = 0; u < matrix.GetLength(0); u++)
            for (var r = 0; r < matrix.GetLength(1); r++)
                ratings.Add(new Rating((u + 1).ToString(CultureInfo.InvariantCulture), (r + 1).ToString(CultureInfo.InvariantCulture),
                    matrix[u, r]?.ToString("R", CultureInfo.InvariantCulture)));
        return FromRatings(ratings);
    }

    /// <summary>The values as numbers; throws <see cref="FormatException"/> naming the first value that is not one.</summary>
    public double?[,] ToNumbers()
    {
        var numbers = new double?[Units.Count, Raters.Count];
        for (var u = 0; u < Units.Count; u++)
            for (var r = 0; r < Raters.Count; r++)
            {
                if (_values[u, r] is not { } text) continue;
                if (!TryParseNumber(text, out var x))
                    throw new FormatException($"value '{text}' of unit '{Units[u]}', rater '{Raters[r]}' is not a number (needed at ordinal, interval and ratio level)");
                numbers[u, r] = x;
            }
        return numbers;
    }

    public bool AllValuesNumeric()
    {
        foreach (var v in _values) if (v is not null && !TryParseNumber(v, out _)) return false;
        return true;
    }

    internal static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
