using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace QaPipeline.Scoring.Rubrics;

/// <summary>A YAML node with its path for error messages: what the rubric and routing loaders read rules files
/// with, so both name the file, line and field the same way.</summary>
internal readonly record struct YamlField(YamlNode Yaml, string Path, string Source)
{
    /// <summary>Strict UTF-8 (a BOM allowed): a rules file in another encoding is an error, not mojibake phrases.</summary>
    public static string DecodeUtf8(byte[] utf8, string sourceName)
    {
        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(utf8).TrimStart('\uFEFF');
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new RubricException($"{sourceName}: not valid UTF-8 text");
        }
    }

    /// <summary>Loads YAML text whose root must be a mapping.</summary>
    public static YamlField LoadMapping(string yaml, string sourceName, string notAMapping)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode m)
                throw new RubricException($"{sourceName}:1: {notAMapping}");
            return new YamlField(m, "", sourceName);
        }
        catch (YamlException e)
        {
            throw new RubricException($"{sourceName}:{e.Start.Line}: malformed YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, when the text ends inside an open [ or {.
            throw new RubricException($"{sourceName}:{yaml.Split('\n').Length}: malformed YAML: the file ends inside an unclosed [ or {{");
        }
    }

    private static string FirstLine(string s)
    {
        var msg = s.Split('\n')[0].Trim();
        var idx = msg.IndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 && msg.StartsWith('(') ? msg[(idx + 3)..] : msg;
    }

    public int Line => (int)Yaml.Start.Line;

    public RubricException Error(string message) =>
        new($"{Source}:{Line}: {(Path.Length == 0 ? "" : Path + ": ")}{message}");

    public YamlMappingNode Map => Yaml as YamlMappingNode ?? throw Error("expected a mapping");

    public IEnumerable<YamlField> Items(string path)
    {
        if (Yaml is not YamlSequenceNode seq) throw Error("expected a list");
        var i = 0;
        foreach (var child in seq.Children) yield return new YamlField(child, $"{path}[{i++}]", Source);
    }

    public YamlField? Get(string key)
    {
        foreach (var (k, v) in Map.Children)
            if (k is YamlScalarNode s && s.Value == key)
                return new YamlField(v, Path.Length == 0 ? key : $"{Path}.{key}", Source);
        return null;
    }

    public YamlField Require(string key) => Get(key) ?? throw Error($"missing required field '{key}'");

    public void AllowOnly(params string[] keys)
    {
        foreach (var (k, _) in Map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!keys.Contains(name))
                throw new RubricException($"{Source}:{k.Start.Line}: {(Path.Length == 0 ? "" : Path + ": ")}unknown field '{name}' (allowed: {string.Join(", ", keys)})");
        }
    }

    public string Str()
    {
        if (Yaml is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value)) throw Error("expected a non-empty text value");
        return s.Value!;
    }

    public double Num()
    {
        if (Yaml is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return d;
        throw Error($"expected a number (got '{(Yaml as YamlScalarNode)?.Value}')");
    }

    public int Int()
    {
        var d = Num();
        if (d != Math.Floor(d) || d < 0) throw Error($"expected a whole number >= 0 (got {d})");
        return (int)d;
    }

    public bool Bool() => (Yaml as YamlScalarNode)?.Value switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        var v => throw Error($"expected true or false (got '{v}')"),
    };

    public IReadOnlyList<string> StrList()
    {
        if (Yaml is YamlScalarNode) return [Str()];
        var list = Items(Path).Select(n => n.Str()).ToList();
        if (list.Count == 0) throw Error("expected at least one entry");
        return list;
    }
}
