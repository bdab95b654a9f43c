using System.Runtime.CompilerServices;
using QaPipeline.Speech.Whisper;

namespace QaPipeline.Speech.Tests.Whisper;

/// <summary>
/// The managed mirrors of whisper.h's structs must match the C layout byte for byte, or whisper_full reads
/// garbage parameters. A C program compiled against the header of the build we load prints the real offsets;
/// the managed ones are measured on a live value.
/// </summary>
public sealed class NativeLayoutTests
{
    private static readonly string[] FullParamsFields =
    [
        "strategy", "n_threads", "n_max_text_ctx", "offset_ms", "duration_ms", "translate", "no_context", "no_timestamps",
        "single_segment", "print_special", "print_progress", "print_realtime", "print_timestamps", "token_timestamps",
        "thold_pt", "thold_ptsum", "max_len", "split_on_word", "max_tokens", "debug_mode", "audio_ctx", "tdrz_enable",
        "suppress_regex", "initial_prompt", "carry_initial_prompt", "prompt_tokens", "prompt_n_tokens", "language",
        "detect_language", "suppress_blank", "suppress_nst", "temperature", "max_initial_ts", "length_penalty",
        "temperature_inc", "entropy_thold", "logprob_thold", "no_speech_thold", "greedy", "beam_search",
        "new_segment_callback", "new_segment_callback_user_data", "progress_callback", "progress_callback_user_data",
        "encoder_begin_callback", "encoder_begin_callback_user_data", "abort_callback", "abort_callback_user_data",
        "logits_filter_callback", "logits_filter_callback_user_data", "grammar_rules", "n_grammar_rules", "i_start_rule",
        "grammar_penalty", "vad", "vad_model_path", "vad_params",
    ];

    private static readonly string[] ContextParamsFields =
        ["use_gpu", "flash_attn", "gpu_device", "dtw_token_timestamps", "dtw_aheads_preset", "dtw_n_top", "dtw_aheads", "dtw_mem_size"];

    private static readonly string[] TokenDataFields = ["id", "tid", "p", "plog", "pt", "ptsum", "t0", "t1", "t_dtw", "vlen"];

    [Fact]
    public void Managed_structs_match_the_offsets_and_sizes_of_whisper_h()
    {
        var include = Path.Combine(Path.GetDirectoryName(TestEnvironment.WhisperLibraryFolder)!, "include");
        Assert.True(File.Exists(Path.Combine(include, "whisper.h")), $"whisper.h missing in {include}");
        var dir = TestEnvironment.ScratchDirectory("layout");
        var source = Path.Combine(dir, "layout.c");
        var lines = new List<string> { "#include <stdio.h>", "#include <stddef.h>", "#include \"whisper.h\"", "int main(void) {" };
        void Emit(string type, IEnumerable<string> fields)
        {
            lines.Add($"printf(\"{type} size %zu\\n\", sizeof(struct {type}));");
            foreach (var f in fields) lines.Add($"printf(\"{type} {f} %zu\\n\", offsetof(struct {type}, {f}));");
        }
        Emit("whisper_full_params", FullParamsFields);
        Emit("whisper_context_params", ContextParamsFields);
        Emit("whisper_token_data", TokenDataFields);
        lines.Add("return 0; }");
        File.WriteAllLines(source, lines);
        var exe = Path.Combine(dir, "layout");
        TestEnvironment.Run("cc", "-I", include, "-o", exe, source);
        var native = TestEnvironment.Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => $"{p[0]} {p[1]}", p => long.Parse(p[2]));

        var managed = new Dictionary<string, long>();
        Measure<WhisperFullParams>("whisper_full_params", FullParamsFields, managed);
        Measure<WhisperContextParams>("whisper_context_params", ContextParamsFields, managed);
        Measure<WhisperTokenData>("whisper_token_data", TokenDataFields, managed);

        Assert.Equal(native.Count, managed.Count);
        foreach (var (key, offset) in native)
            Assert.True(managed.TryGetValue(key, out var m) && m == offset, $"{key}: C says {offset}, managed says {(managed.TryGetValue(key, out var x) ? x : -1)}");
    }

    /// <summary>Offsets of the managed struct's fields (declaration order = header order) and its size. The mirrors
    /// are blittable (CBool, not bool), so the marshalled layout OffsetOf reports is the one passed to C.</summary>
    private static void Measure<T>(string type, string[] cFields, Dictionary<string, long> into) where T : unmanaged
    {
        var fields = typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        Assert.Equal(cFields.Length, fields.Length);
        for (var i = 0; i < fields.Length; i++)
            into[$"{type} {cFields[i]}"] = (long)System.Runtime.InteropServices.Marshal.OffsetOf<T>(fields[i].Name);
        into[$"{type} size"] = Unsafe.SizeOf<T>();
    }
}
