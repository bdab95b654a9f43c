using QaPipeline.Speech.Whisper;

namespace QaPipeline.Speech.Tests.Whisper;

/// <summary>A bad model file must end in a one-line <see cref="SpeechModelException"/>, never a crashed process.</summary>
public sealed class ModelFileTests
{
    private static string Scratch(string name, byte[] content)
    {
        var path = Path.Combine(TestEnvironment.ScratchDirectory("models"), name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] TinyBytes => File.ReadAllBytes(TestEnvironment.TinyModel);

    private static SpeechModelException LoadFails(string path)
    {
        var e = Assert.Throws<SpeechModelException>(() => WhisperRecognizer.Load(path).Dispose());
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Missing_model_file_is_reported_with_its_path()
    {
        var e = LoadFails("/nonexistent/ggml-small.bin");
        Assert.Contains("model file not found: /nonexistent/ggml-small.bin", e.Message);
    }

    [Fact]
    public void Empty_file_is_not_a_model()
    {
        Assert.Contains("no ggml magic", LoadFails(Scratch("empty.bin", [])).Message);
    }

    [Fact]
    public void Html_error_page_saved_as_model_is_rejected()
    {
        var e = LoadFails(Scratch("html.bin", "<html><body>404 Not Found</body></html>"u8.ToArray()));
        Assert.Contains("html.bin is not a usable Whisper ggml model", e.Message);
    }

    [Fact]
    public void Silero_vad_model_passed_as_whisper_model_is_rejected()
    {
        var vad = Path.Combine(TestEnvironment.SharedDirectory, "models", "for-tests-silero-v6.2.0-ggml.bin");
        Assert.Contains("out of range", LoadFails(vad).Message);
    }

    [Theory]
    [InlineData(20)]      // inside the hyper-parameters
    [InlineData(200)]     // inside the mel filters
    [InlineData(100_000)] // inside the vocabulary
    public void Truncated_download_is_rejected_before_whisper_reads_it(int length)
    {
        var e = LoadFails(Scratch($"truncated-{length}.bin", TinyBytes[..length]));
        Assert.Contains("ends inside", e.Message);
    }

    [Fact]
    public void Corrupt_vocabulary_length_is_rejected()
    {
        var bytes = TinyBytes;
        // After magic (4) + 11 hyper-parameters (44) + mel filter shape (8) + filters + vocabulary count (4).
        var nMel = BitConverter.ToInt32(bytes, 48);
        var nFft = BitConverter.ToInt32(bytes, 52);
        var firstWord = 56 + nMel * nFft * 4 + 4;
        BitConverter.GetBytes(0x7FFF_FFF0).CopyTo(bytes, firstWord);
        Assert.Contains("vocabulary entry 0", LoadFails(Scratch("bad-vocab.bin", bytes)).Message);
    }

    [Fact]
    public void Unknown_weight_type_is_rejected_before_ggml_asserts_on_it()
    {
        var bytes = TinyBytes;
        BitConverter.GetBytes(4).CopyTo(bytes, 44); // ftype 4 (Q4_1_SOME_F16): ggml has no tensor type for it
        Assert.Contains("hyper-parameters out of range", LoadFails(Scratch("bad-ftype.bin", bytes)).Message);
    }

    [Fact]
    public void Damaged_tensor_header_is_rejected()
    {
        // n_dims 9 would overflow whisper.cpp's 4-element shape array.
        var e = LoadFails(Scratch("bad-tensor.bin", [.. TinyBytes, .. Ints(9, 4, 0)]));
        Assert.Contains("tensor 0 header is damaged", e.Message);
    }

    [Fact]
    public void Model_whisper_refuses_is_reported_with_whisper_cpp_reason()
    {
        // A well-formed tensor whisper.cpp does not know: it returns NULL and logs why.
        var e = LoadFails(Scratch("unknown-tensor.bin", [.. TinyBytes, .. Ints(1, 4, 0, 1), .. "nope"u8, .. Ints(0)]));
        Assert.Contains("whisper.cpp could not load", e.Message);
        Assert.Contains("unknown tensor 'nope'", e.Message);
    }

    private static byte[] Ints(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Test_model_header_is_read_as_whisper_tiny()
    {
        var h = WhisperModelFile.Check(TestEnvironment.TinyModel);
        Assert.Equal(51865, h.NVocab);
        Assert.Equal(4, h.NAudioLayer);
        Assert.Equal(80, h.NMels);
    }
}
