using System.Reflection;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Whisper.net;
using Whisper.net.LibraryLoader;
using Whisper.net.Logger;

namespace QaPipeline.Speech.Whisper;

/// <summary>
/// The whisper.cpp runtime as Whisper.net loads it, set up once per process before the first model: checks that
/// this CPU can run the runtime package we ship, applies the runtime order the host read from <c>QA_WHISPER_RUNTIMES</c>
/// (Whisper.net's runtime selection order), and routes whisper.cpp's log into memory, so its chatter stays off our stderr and the last
/// warning and error lines explain a failed model load in the exception we throw.
/// </summary>
public static class WhisperRuntime
{
    /// <summary>The variable the host reads Whisper.net's runtime order from, comma-separated (e.g. <c>cuda12,cpu</c>
    /// to prefer a CUDA 12 runtime package when one is installed, or <c>cpu</c> to keep a GPU machine on its CPU); the
    /// host passes its value to <see cref="WhisperRecognizer.Load"/>.</summary>
    public const string OrderVariable = "QA_WHISPER_RUNTIMES";

    private static readonly Lock Gate = new();
    private static bool _ready;

    // whisper.cpp logs on the thread that called it (a model load runs on the caller's thread), and several
    // recognisers may load at once (parallel tests, a node with several ASR workers): each thread keeps its own
    // lines, so one load's reason is never cleared by, or blamed on, another's.
    [ThreadStatic] private static Queue<string>? _recentErrors;
    [ThreadStatic] private static StringBuilder? _pendingLine;
    [ThreadStatic] private static bool _keepingLine;
    private static Queue<string> RecentErrors => _recentErrors ??= new();
    private static StringBuilder PendingLine => _pendingLine ??= new();

    /// <summary>Whisper.net's version (the binding and its runtime package are released together).</summary>
    public static string Version =>
        typeof(WhisperFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(WhisperFactory).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>Which runtime Whisper.net loaded (Cpu, Cuda12, ...) and the CPU features its ggml uses
    /// ("AVX2 = 1 | FMA = 1 ..."); null before the first model is loaded.</summary>
    public static string? Description =>
        RuntimeOptions.LoadedLibrary is { } loaded ? $"{loaded}: {WhisperFactory.GetRuntimeInfo()?.Trim()}" : null;

    /// <summary>Sets the runtime up on first use; throws <see cref="SpeechEngineException"/> with one line when it
    /// cannot run here.</summary>
    public static void EnsureReady(string? runtimeOrder = null)
    {
        lock (Gate)
        {
            if (_ready) return;
            var missing = MissingCpuFeature(Avx2.IsSupported && Fma.IsSupported, NoAvxRuntimeInstalled());
            if (missing is not null) throw new SpeechEngineException(missing);
            if (runtimeOrder is { Length: > 0 } order)
                RuntimeOptions.RuntimeLibraryOrder = ParseOrder(order);
            // Registered for the life of the process, like whisper.cpp's own log callback.
            _ = LogProvider.AddLogger(OnLog);
            _ready = true;
        }
    }

    /// <summary>The one-line reason this machine cannot run the bundled runtime, or null when it can.
    /// Whisper.net.Runtime's x64 build is compiled for AVX2/FMA/F16C; on an older CPU its first instruction
    /// of those would end the process with SIGILL, so we refuse before loading it.</summary>
    internal static string? MissingCpuFeature(bool avx2, bool noAvxRuntimeInstalled) =>
        avx2 || noAvxRuntimeInstalled || !(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) || !IsX64
            ? null
            : "this CPU lacks AVX2/FMA, which the Whisper.net.Runtime build needs; add the Whisper.net.Runtime.NoAvx package " +
              "(same version as Whisper.net) to QaPipeline.Speech to run Whisper on it";

    private static bool IsX64 => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>Whisper.net.Runtime.NoAvx installs its libraries under runtimes/noavx/ beside our assemblies.</summary>
    private static bool NoAvxRuntimeInstalled() =>
        Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "noavx"));

    internal static List<RuntimeLibrary> ParseOrder(string order)
    {
        var list = new List<RuntimeLibrary>();
        foreach (var name in order.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<RuntimeLibrary>(name, ignoreCase: true, out var library) || !Enum.IsDefined(library))
                throw new SpeechEngineException($"{OrderVariable}={order}: unknown runtime '{name}' (known: {string.Join(", ", Enum.GetNames<RuntimeLibrary>())})");
            list.Add(library);
        }
        return list;
    }

    /// <summary>The last warning and error lines whisper.cpp logged on this thread (for exception messages), then cleared.</summary>
    internal static string TakeRecentErrors()
    {
        var text = string.Join("; ", RecentErrors);
        RecentErrors.Clear();
        PendingLine.Clear();
        return text;
    }

    private static void OnLog(WhisperLogLevel level, string? text)
    {
        // Cont continues the previous line at that line's level.
        if (level != WhisperLogLevel.Cont) _keepingLine = level is WhisperLogLevel.Warning or WhisperLogLevel.Error;
        if (string.IsNullOrEmpty(text) || !_keepingLine) return;
        PendingLine.Append(text);
        if (!text.EndsWith('\n')) return;
        var line = PendingLine.ToString().Trim();
        PendingLine.Clear();
        if (line.Length == 0) return;
        RecentErrors.Enqueue(line);
        while (RecentErrors.Count > 8) RecentErrors.Dequeue();
    }
}
