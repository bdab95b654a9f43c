using System.Text;
using System.Text.RegularExpressions;

namespace QaPipeline.Speech.Whisper;

/// <summary>
/// A model's token vocabulary as raw bytes, read from the model file by <see cref="WhisperModelFile"/>. Two things
/// Whisper.net does not give us need it: the bytes of each recognised token (Whisper.net decodes every token to a
/// string on its own, so the two or three byte-level tokens of one Chinese character come back as U+FFFD each),
/// and the number of tokens a prompt takes (<see cref="CountTokens"/>, whisper.cpp's own tokenizer rebuilt).
/// </summary>
public sealed partial class WhisperVocabulary
{
    private readonly byte[][] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly int _longest;

    internal WhisperVocabulary(byte[][] tokens, int nVocab)
    {
        _tokens = tokens;
        // whisper.cpp maps token text to id with later entries overwriting earlier ones; keys here are the bytes
        // as Latin-1 characters (one char per byte) so that partial UTF-8 sequences are keys too.
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++) _ids[Encoding.Latin1.GetString(tokens[i])] = i;
        _longest = tokens.Length == 0 ? 0 : tokens.Max(t => t.Length);
        // whisper.cpp: the multilingual vocabulary (51865+) moves every special token one id up.
        EndOfText = nVocab >= 51865 ? 50257 : 50256;
    }

    /// <summary>Id of [_EOT_]: every id from here on is a special, language or timestamp token, not text.</summary>
    public int EndOfText { get; }

    public int Count => _tokens.Length;

    /// <summary>The bytes of a text token; null for special tokens and ids the file has no entry for.</summary>
    public byte[]? Bytes(int id) => id >= 0 && id < EndOfText && id < _tokens.Length ? _tokens[id] : null;

    /// <summary>Tokens <paramref name="text"/> takes, counted the way whisper.cpp's <c>tokenize</c> splits it: the
    /// GPT-2 pre-tokenizer pattern (as std::regex applies it to bytes in the C locale, so letters and digits are
    /// ASCII only) and then, per word, the longest vocabulary entry from the left. Bytes no entry covers are
    /// skipped, as whisper.cpp skips them.</summary>
    public int CountTokens(string text) => Tokenize(text).Count;

    /// <summary>The token ids of <paramref name="text"/>, split as <see cref="CountTokens"/> describes.</summary>
    public List<int> Tokenize(string text)
    {
        var bytes = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
        var ids = new List<int>();
        foreach (Match word in PreTokenizer().Matches(bytes))
        {
            var w = word.Value;
            var i = 0;
            while (i < w.Length)
            {
                var found = false;
                for (var j = Math.Min(w.Length, i + _longest); j > i; j--)
                {
                    if (!_ids.TryGetValue(w[i..j], out var id)) continue;
                    ids.Add(id);
                    i = j;
                    found = true;
                    break;
                }
                if (!found) i++;
            }
        }
        return ids;
    }

    // whisper.cpp's pattern with [[:alpha:]], [[:digit:]] and \s spelt out as the C locale has them on bytes (.NET's \s
    // would also match 0x85 and 0xA0, which are UTF-8 continuation bytes here).
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^ \t\n\v\f\rA-Za-z0-9]+|[ \t\n\v\f\r]+(?![^ \t\n\v\f\r])|[ \t\n\v\f\r]+", RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizer();
}
