using System.Runtime.InteropServices;
using QaPipeline.Speech.Whisper;

namespace QaPipeline.Speech.Tests.Whisper;

/// <summary>
/// Two things the product keeps in managed code because Whisper.net does not expose them, the ggml tensor sizes the
/// model-file check seeks by and whisper.cpp's tokenizer, checked against the whisper.cpp that Whisper.net.Runtime
/// ships, called directly here (tests only; src/ has no native calls of its own). A runtime upgrade that changes
/// either fails here instead of mis-sizing prompts or mis-reading model files.
/// </summary>
[Collection("whisper")]
public sealed unsafe class BundledRuntimeCrossCheckTests(TinyModelFixture fixture)
{
    private static string RuntimeFile(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", name);
        Assert.True(File.Exists(path), $"{path} missing: is Whisper.net.Runtime restored?");
        return path;
    }

    private static IntPtr Export(string library, string symbol) =>
        NativeLibrary.GetExport(NativeLibrary.Load(RuntimeFile(library)), symbol);

    [Fact]
    public void Bundled_whisper_cpp_is_the_version_the_managed_tables_were_checked_against()
    {
        _ = fixture.Recognizer; // Whisper.net has loaded the runtime and its ggml dependencies
        var version = ((delegate* unmanaged<IntPtr>)Export("libwhisper.so", "whisper_version"))();
        Assert.Equal("1.8.5", Marshal.PtrToStringUTF8(version));
    }

    [Fact]
    public void Tensor_type_sizes_match_ggml()
    {
        _ = fixture.Recognizer;
        var typeSize = (delegate* unmanaged<int, nuint>)Export("libggml-base-whisper.so", "ggml_type_size");
        var blockSize = (delegate* unmanaged<int, long>)Export("libggml-base-whisper.so", "ggml_blck_size");
        foreach (var (type, (block, bytes)) in WhisperModelFile.TensorTypes)
        {
            Assert.Equal((long)block, blockSize(type));
            Assert.Equal((nuint)bytes, typeSize(type));
        }
    }

    [Theory]
    [InlineData("Thank you for calling, how can I help you today?")]
    [InlineData("您好，很高兴为您服务，请问有什么可以帮您？")]
    [InlineData("工号 9527 为您服务；请问还有什么可以帮您的吗")]
    [InlineData("It's 10:30 — we'll call you back   tomorrow.")]
    [InlineData("  leading spaces and trailing  ")]
    public void Managed_token_count_matches_whisper_cpp_tokenize(string text)
    {
        _ = fixture.Recognizer;
        var init = (delegate* unmanaged<IntPtr, IntPtr>)Export("libwhisper.so", "whisper_init_from_file");
        var tokenize = (delegate* unmanaged<IntPtr, IntPtr, int*, int, int>)Export("libwhisper.so", "whisper_tokenize");
        var free = (delegate* unmanaged<IntPtr, void>)Export("libwhisper.so", "whisper_free");
        var path = Marshal.StringToCoTaskMemUTF8(TestEnvironment.TinyModel);
        var utf8 = Marshal.StringToCoTaskMemUTF8(text);
        var ctx = init(path);
        try
        {
            Assert.NotEqual(IntPtr.Zero, ctx);
            var buffer = new int[512];
            int n;
            fixed (int* b = buffer) n = tokenize(ctx, utf8, b, buffer.Length);
            Assert.Equal(buffer[..n], WhisperModelFile.Check(TestEnvironment.TinyModel).Vocabulary.Tokenize(text).ToArray());
            Assert.Equal(n, fixture.Recognizer.CountTokens(text));
        }
        finally
        {
            if (ctx != IntPtr.Zero) free(ctx);
            Marshal.FreeCoTaskMem(path);
            Marshal.FreeCoTaskMem(utf8);
        }
    }
}
