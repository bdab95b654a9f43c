using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace QaPipeline.Speech.Whisper;

/// <summary>
/// Finds and loads the whisper.cpp shared library that <c>native/build-whisper.sh</c> built, once per process:
/// <c>QA_WHISPER_LIB</c> (the libwhisper.so file or its folder) when set, else the build cache
/// (<c>$QA_NATIVE_CACHE</c> or <c>~/.cache/qapipeline</c>, then <c>whisper-1.9.1/lib</c>).
/// Also routes whisper.cpp's log into memory: its chatter stays off our stderr, and the last error lines
/// explain a failed model load in the exception we throw.
/// </summary>
public static unsafe class WhisperLibrary
{
    public const string Version = "1.9.1";

    private static readonly Lock Gate = new();
    private static string? _folder;
    // whisper.cpp logs on the thread that called it (a model load, print_timings), and several recognisers may load
    // at once (parallel tests, a node with several ASR workers): each thread keeps its own lines, so one load's
    // reason is never cleared by, or blamed on, another's. (A shared queue lost "unknown tensor" in a full CI run.)
    [ThreadStatic] private static Queue<string>? _recentErrors;
    [ThreadStatic] private static StringBuilder? _pendingLine;
    [ThreadStatic] private static List<string>? _timingLines;
    private static Queue<string> RecentErrors => _recentErrors ??= new();
    private static StringBuilder PendingLine => _pendingLine ??= new();
    private static List<string> TimingLines => _timingLines ??= [];

    /// <summary>Runs <paramref name="print"/> (a call to whisper_print_timings) and returns the lines it logged.</summary>
    internal static IReadOnlyList<string> CaptureTimings(Action print)
    {
        TimingLines.Clear();
        print();
        return TimingLines.Where(l => l.Length > 0).ToList();
    }

    /// <summary>The folder the library was loaded from, loading it on first use.</summary>
    public static string Folder
    {
        get
        {
            lock (Gate)
            {
                if (_folder is not null) return _folder;
                var folder = Locate();
                NativeLibrary.SetDllImportResolver(typeof(WhisperLibrary).Assembly, Resolve);
                _folder = folder;
                WhisperNative.whisper_log_set(&OnLog, null);
                // CPU kernels are runtime-dispatched modules (libggml-cpu-<variant>.so); ggml picks the best one
                // for this CPU from the folder we give it.
                WhisperNative.ggml_backend_load_all_from_path(folder);
                if (WhisperNative.ggml_backend_reg_count() == 0)
                    throw new SpeechEngineException($"whisper.cpp in {folder} found no compute backend (no libggml-cpu-*.so there)");
                return folder;
            }
        }
    }

    /// <summary>Default cache folder, the one build-whisper.sh writes.</summary>
    public static string CacheFolder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("QA_NATIVE_CACHE");
            if (string.IsNullOrEmpty(root))
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "qapipeline");
            return Path.Combine(root, $"whisper-{Version}");
        }
    }

    /// <summary>Which CPU features the loaded ggml kernels use ("AVX2 = 1 | AVX512 = 1 ..."): shows which
    /// runtime-dispatched variant this machine got.</summary>
    public static string SystemInfo
    {
        get
        {
            _ = Folder;
            return (Marshal.PtrToStringUTF8(WhisperNative.whisper_print_system_info()) ?? "").Trim();
        }
    }

    /// <summary>The whisper.cpp version string the loaded library reports.</summary>
    public static string LoadedVersion
    {
        get
        {
            _ = Folder;
            return Marshal.PtrToStringUTF8(WhisperNative.whisper_version()) ?? "?";
        }
    }

    internal static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("QA_WHISPER_LIB");
        if (!string.IsNullOrEmpty(configured))
        {
            var folder = Directory.Exists(configured) ? configured : Path.GetDirectoryName(Path.GetFullPath(configured))!;
            if (!File.Exists(Path.Combine(folder, "libwhisper.so")))
                throw new SpeechEngineException($"QA_WHISPER_LIB={configured}: no libwhisper.so there");
            return Path.GetFullPath(folder);
        }
        var cached = Path.Combine(CacheFolder, "lib");
        if (File.Exists(Path.Combine(cached, "libwhisper.so")))
            return cached;
        throw new SpeechEngineException(
            $"whisper.cpp library not found in {cached}; run native/build-whisper.sh (setup.sh does) or set QA_WHISPER_LIB");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (_folder is null || name is not (WhisperNative.Library or "ggml" or "ggml-base")) return IntPtr.Zero;
        var file = Path.Combine(_folder, $"lib{name}.so");
        if (!File.Exists(file))
        {
            // The build writes versioned files (libggml.so.0.9.x) with link names; accept either.
            file = Directory.EnumerateFiles(_folder, $"lib{name}.so*").Order().FirstOrDefault() ?? file;
        }
        return NativeLibrary.Load(file);
    }

    /// <summary>The last error lines whisper.cpp logged on this thread (for exception messages), then cleared.</summary>
    internal static string TakeRecentErrors()
    {
        var text = string.Join("; ", RecentErrors);
        RecentErrors.Clear();
        return text;
    }

    // ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continuation of the previous line).
    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnLog(int level, byte* text, void* userData)
    {
        if (text is null) return;
        var s = Marshal.PtrToStringUTF8((IntPtr)text) ?? "";
        if (s.StartsWith("whisper_print_timings:", StringComparison.Ordinal))
        {
            TimingLines.Add(s["whisper_print_timings:".Length..].Trim());
            return;
        }
        if (level is not (3 or 4 or 5)) return;
        PendingLine.Append(s);
        if (!s.EndsWith('\n')) return;
        var line = PendingLine.ToString().Trim();
        PendingLine.Clear();
        if (line.Length == 0) return;
        RecentErrors.Enqueue(line);
        while (RecentErrors.Count > 8) RecentErrors.Dequeue();
    }
}
