using System.Security.Cryptography;
using System.Text;

namespace QaPipeline.Scoring.TextNormalization;

/// <summary>
/// A short, stable id for a line of speech: SHA-256 of its <see cref="SpeechText.Normalized"/> form, first 16
/// hex digits. Labelled corpora that may not be redistributed (JDDC) are stored in the project as
/// fingerprint → labels and joined with the text at run time; normalising first makes the join survive
/// differences in punctuation, width and script. 64 bits keep collisions out of reach for any labelled set.
/// </summary>
public static class LineFingerprint
{
    public static string Of(string line) => OfNormalized(SpeechText.Parse(line).Normalized);

    public static string OfNormalized(string normalized) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..16];
}
