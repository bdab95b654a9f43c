using Microsoft.ML.OnnxRuntime;

namespace QaPipeline.Audio;

/// <summary>The one way this assembly opens an ONNX model (Silero VAD, a speaker-embedding model).</summary>
internal static class OnnxModelLoader
{
    /// <summary>
    /// A session on one thread: these are small models run on short inputs, where ONNX Runtime's thread hand-offs
    /// cost more than the maths (and callers parallelise across calls instead). A file ONNX Runtime cannot load is
    /// an <see cref="InvalidDataException"/> with one line naming it.
    /// </summary>
    public static InferenceSession Load(string modelPath)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            return new InferenceSession(Path.GetFullPath(modelPath), sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: not a loadable ONNX model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }
}
