using System.Text;

namespace QaPipeline.TestSupport;

/// <summary>
/// Writes small ONNX models (ModelProto protobuf bytes, IR version 8, opset 13) for the tests of the speaker-
/// embedding route: no trained speaker model can be obtained here, but a real model file run by the real ONNX Runtime
/// can be built from a few standard operators. Field numbers are those of onnx.proto (ModelProto: ir_version 1,
/// producer_name 2, graph 7, opset_import 8, metadata_props 14; GraphProto: node 1, name 2, input 11, output 12;
/// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5; AttributeProto: name 1, i 3, ints 8, type 20;
/// ValueInfoProto: name 1, type 2; TypeProto: tensor_type 1; Tensor: elem_type 1, shape 2; TensorShapeProto: dim 1;
/// Dimension: dim_value 1, dim_param 2).
/// </summary>
public static class OnnxModelFile
{
    private const int Float = 1;        // TensorProto.DataType.FLOAT
    private const int AttributeInt = 2; // AttributeProto.AttributeType.INT
    private const int AttributeInts = 7;

    /// <summary>
    /// The long-term average spectrum as a "speaker embedding": input <c>feats</c> float [1, T, bands], the mean
    /// log-mel frame over time (ReduceMean over axis 1), less its own mean over the bands (so that how loud a voice
    /// was recorded does not count, only the shape of its spectrum), output <c>embedding</c> float [1, bands]. The
    /// averaged frame would be all zeros if the window's mean were subtracted first, so by default the model says
    /// <c>feature_normalize_type=none</c> in its metadata; <paramref name="metadata"/> replaces that.
    /// </summary>
    public static string AverageSpectrum(string path, int bands = 80, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[][] nodes =
        [
            Node("ReduceMean", ["feats"], ["spectrum"], Ints("axes", 1), Int("keepdims", 0)),
            Node("ReduceMean", ["spectrum"], ["level"], Ints("axes", 1), Int("keepdims", 1)),
            Node("Sub", ["spectrum", "level"], ["embedding"]),
        ];
        File.WriteAllBytes(path, Model(nodes, TensorInfo("feats", 1, "T", bands), TensorInfo("embedding", 1, bands),
            metadata ?? new Dictionary<string, string> { ["feature_normalize_type"] = "none" }));
        return path;
    }

    /// <summary>The plain time average (one ReduceMean), with no metadata: fed mean-subtracted frames, as a
    /// WeSpeaker or 3D-Speaker model is, it can only answer zeros.</summary>
    public static string TimeAverage(string path)
    {
        var node = Node("ReduceMean", ["feats"], ["embedding"], Ints("axes", 1), Int("keepdims", 0));
        File.WriteAllBytes(path, Model([node], TensorInfo("feats", 1, "T", 80), TensorInfo("embedding", 1, 80), new Dictionary<string, string>()));
        return path;
    }

    private static byte[] Model(byte[][] nodes, byte[] input, byte[] output, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new Proto();
        foreach (var node in nodes) graph.Bytes(1, node);
        graph.Text(2, "test-graph").Bytes(11, input).Bytes(12, output);
        var model = new Proto().Int(1, 8).Text(2, "QaPipeline.Audio.Tests").Bytes(7, graph.ToArray())
            .Bytes(8, new Proto().Text(1, "").Int(2, 13).ToArray());
        foreach (var (key, value) in metadata) model.Bytes(14, new Proto().Text(1, key).Text(2, value).ToArray());
        return model.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes)
    {
        var node = new Proto();
        foreach (var i in inputs) node.Text(1, i);
        foreach (var o in outputs) node.Text(2, o);
        node.Text(3, $"{op}_{outputs[0]}").Text(4, op);
        foreach (var a in attributes) node.Bytes(5, a);
        return node.ToArray();
    }

    private static byte[] Int(string name, long value) => new Proto().Text(1, name).Int(3, value).Int(20, AttributeInt).ToArray();

    private static byte[] Ints(string name, params long[] values)
    {
        var attribute = new Proto().Text(1, name);
        foreach (var v in values) attribute.Int(8, v);
        return attribute.Int(20, AttributeInts).ToArray();
    }

    /// <summary>A float tensor's ValueInfoProto; each dimension a size (int) or a symbolic name (string).</summary>
    private static byte[] TensorInfo(string name, params object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
            shape.Bytes(1, d is string symbol ? new Proto().Text(2, symbol).ToArray() : new Proto().Int(1, Convert.ToInt64(d)).ToArray());
        var tensor = new Proto().Int(1, Float).Bytes(2, shape.ToArray());
        return new Proto().Text(1, name).Bytes(2, new Proto().Bytes(1, tensor.ToArray()).ToArray()).ToArray();
    }

    /// <summary>Protocol-buffer wire format: varint fields (wire type 0) and length-delimited ones (wire type 2).</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Int(int field, long value)
        {
            Varint((ulong)(field << 3));
            Varint((ulong)value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            Varint((ulong)((field << 3) | 2));
            Varint((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        public Proto Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _bytes.ToArray();

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
