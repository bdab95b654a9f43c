using System.Buffers.Binary;

namespace QaPipeline.Speech.Whisper;

/// <summary>
/// Checks that a file is a Whisper ggml model before whisper.cpp sees it. whisper.cpp trusts the sizes in the
/// file: a truncated or corrupt header makes it allocate whatever garbage length it reads (std::bad_alloc
/// through a C API ends the process) instead of returning NULL. So we walk the same header it walks —
/// magic, hyper-parameters, mel filters, vocabulary — and reject anything out of range or past the end of
/// the file with a message that names the file. Tensor data is skipped, not read: whisper.cpp checks names
/// and shapes itself, and a 3 GB model is checked in milliseconds. The vocabulary it walks is kept
/// (<see cref="WhisperVocabulary"/>): Whisper.net hands tokens back as already-decoded strings, which loses the
/// bytes of a Chinese character split across tokens, and has no tokenizer for sizing the prompt.
/// </summary>
public static class WhisperModelFile
{
    /// <summary>"ggml" as a little-endian uint32 (whisper.cpp's GGML_FILE_MAGIC).</summary>
    private const uint GgmlMagic = 0x67676d6c;

    /// <summary>ggml_ftype values ggml maps to a tensor type (ggml.h); any other value hits a GGML_ASSERT in
    /// ggml_ftype_to_ggml_type and aborts the process. The thousands encode the quantisation version.</summary>
    private static readonly HashSet<int> KnownFileTypes = [0, 1, 2, 3, .. Enumerable.Range(7, 21)];

    /// <summary>(elements per block, bytes per block) of the ggml tensor types a Whisper model can hold: F32, F16,
    /// BF16 and the quantisations whisper.cpp's quantize tool writes (legacy Q4_0..Q8_0 and the K-quants), from
    /// ggml's type_traits table. A type outside this table is refused as unsupported rather than guessed at;
    /// WhisperRuntimeTests compares every entry with the ggml that Whisper.net.Runtime ships.</summary>
    internal static readonly IReadOnlyDictionary<int, (int Block, int Bytes)> TensorTypes = new Dictionary<int, (int, int)>
    {
        [0] = (1, 4),      // F32
        [1] = (1, 2),      // F16
        [2] = (32, 18),    // Q4_0
        [3] = (32, 20),    // Q4_1
        [6] = (32, 22),    // Q5_0
        [7] = (32, 24),    // Q5_1
        [8] = (32, 34),    // Q8_0
        [10] = (256, 84),  // Q2_K
        [11] = (256, 110), // Q3_K
        [12] = (256, 144), // Q4_K
        [13] = (256, 176), // Q5_K
        [14] = (256, 210), // Q6_K
        [30] = (1, 2),     // BF16
    };

    public sealed record Header(int NVocab, int NAudioLayer, int NTextLayer, int NTextCtx, int NMels, int FType, WhisperVocabulary Vocabulary)
    {
        public bool IsMultilingual => NVocab >= 51865;

        /// <summary>Whisper's size name from the encoder depth (tiny 4, base 6, small 12, medium 24, large 32 layers).</summary>
        public string ModelType => NAudioLayer switch { 4 => "tiny", 6 => "base", 12 => "small", 24 => "medium", 32 => "large", var n => $"{n}-layer" };
    }

    /// <summary>Returns the header, or throws <see cref="SpeechModelException"/> saying what is wrong.</summary>
    public static Header Check(string path)
    {
        if (!File.Exists(path))
            throw new SpeechModelException($"model file not found: {path} (see models/README.md to download one)");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = file.Length;
        var reader = new BinaryReader(file);
        string Bad(string what) => $"{path} is not a usable Whisper ggml model ({what})";
        int Int32(string what)
        {
            if (file.Position + 4 > length) throw new SpeechModelException(Bad($"file ends inside the {what}"));
            return reader.ReadInt32();
        }

        if (length < 4 || reader.ReadUInt32() != GgmlMagic)
            throw new SpeechModelException(Bad("no ggml magic at the start; was it downloaded completely?"));

        var h = new int[11];
        for (var i = 0; i < h.Length; i++) h[i] = Int32("hyper-parameters");
        var (nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftype) =
            (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]);
        // Every Whisper release (tiny .. large-v3-turbo, distil variants) has these shapes; a file that does
        // not is another ggml model (the Silero VAD file shares the magic) or damaged.
        if (nVocab is < 51864 or > 51866 || nAudioCtx != 1500 || nTextCtx != 448 || nMels is not (80 or 128)
            || nAudioState is < 64 or > 4096 || nTextState is < 64 or > 4096
            || nAudioHead is < 1 or > 64 || nTextHead is < 1 or > 64
            || nAudioLayer is < 1 or > 64 || nTextLayer is < 1 or > 64 || !KnownFileTypes.Contains(ftype % 1000) || ftype < 0)
            throw new SpeechModelException(Bad($"hyper-parameters out of range: n_vocab={nVocab} n_audio_ctx={nAudioCtx} n_mels={nMels} layers={nAudioLayer}/{nTextLayer}"));

        var filterMels = Int32("mel filters");
        var filterFft = Int32("mel filters");
        if (filterMels is < 1 or > 512 || filterFft is < 1 or > 4096)
            throw new SpeechModelException(Bad($"mel filter shape {filterMels}x{filterFft} out of range"));
        var filterBytes = (long)filterMels * filterFft * sizeof(float);
        if (file.Position + filterBytes > length) throw new SpeechModelException(Bad("file ends inside the mel filters"));
        file.Seek(filterBytes, SeekOrigin.Current);

        var words = Int32("vocabulary");
        if (words < 0 || words > nVocab)
            throw new SpeechModelException(Bad($"vocabulary size {words} out of range"));
        Span<byte> lenBytes = stackalloc byte[4];
        var tokens = new byte[words][];
        for (var i = 0; i < words; i++)
        {
            if (file.Read(lenBytes) != 4) throw new SpeechModelException(Bad("file ends inside the vocabulary"));
            var len = BinaryPrimitives.ReadUInt32LittleEndian(lenBytes);
            if (len > 1024 || file.Position + len > length)
                throw new SpeechModelException(Bad($"vocabulary entry {i} has length {len}; the file ends inside the vocabulary or is damaged"));
            tokens[i] = new byte[len];
            file.ReadExactly(tokens[i]);
        }

        // Tensors: whisper.cpp reads n_dims values into a 4-element array, allocates the name length it reads and
        // indexes ggml's type table with the type it reads, all unchecked. Walk every tensor header (seeking over
        // the data) so a damaged or truncated file never gets that far.
        var tensors = 0;
        Span<byte> head = stackalloc byte[12];
        while (file.Position < length)
        {
            if (file.Read(head) != 12) throw new SpeechModelException(Bad($"file ends inside tensor {tensors}"));
            var nDims = BinaryPrimitives.ReadInt32LittleEndian(head);
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
            var type = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
            if (nDims is < 1 or > 4 || nameLength is < 1 or > 256 || type is < 0 or >= 64)
                throw new SpeechModelException(Bad($"tensor {tensors} header is damaged (dims {nDims}, name length {nameLength}, type {type})"));
            long elements = 1;
            for (var i = 0; i < nDims; i++)
            {
                var ne = Int32($"tensor {tensors} shape");
                if (ne is < 1 or > 1 << 24) throw new SpeechModelException(Bad($"tensor {tensors} has dimension {ne}"));
                elements *= ne;
            }
            if (!TensorTypes.TryGetValue(type, out var size) || elements > long.MaxValue / size.Bytes)
                throw new SpeechModelException(Bad($"tensor {tensors} has unsupported type {type}"));
            var dataBytes = elements * size.Bytes / size.Block;
            if (file.Position + nameLength + dataBytes > length)
                throw new SpeechModelException(Bad($"file ends inside tensor {tensors}; was it downloaded completely?"));
            file.Seek(nameLength + dataBytes, SeekOrigin.Current);
            tensors++;
        }
        return new Header(nVocab, nAudioLayer, nTextLayer, nTextCtx, nMels, ftype, new WhisperVocabulary(tokens, nVocab));
    }
}
