namespace QaPipeline.Audio.Decoding;

/// <summary>
/// A recording could not be turned into PCM: missing ffmpeg, an empty, corrupt, truncated or non-audio file,
/// or a decoder that hung. The message is one line naming the file and the reason, fit to show a user.
/// </summary>
public sealed class AudioDecodingException(string message, Exception? inner = null) : Exception(message, inner);
