package dev.jbert.core.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The graph of an ONNX model file ({@code .onnx}: one protobuf {@code ModelProto}) as far as a weight
 * import needs it: the nodes with their operators, inputs, outputs and attributes, and the
 * initializers with their values. Field numbers are those of <a
 * href="https://github.com/onnx/onnx/blob/main/onnx/onnx.proto">onnx.proto</a>; the file is read with
 * protobuf-java's wire-format reader rather than classes generated from onnx.proto, since the import
 * needs about twenty of its fields, and unknown fields are skipped as protobuf prescribes.
 *
 * <p>The file is mapped, not copied: initializer values stay in the mapping until asked for. Values
 * kept in external data files (exports over protobuf's 2 GB limit) are refused with a message.
 */
public final class OnnxFile {

  private final Path file;
  private final long irVersion;
  private final List<Node> nodes;
  private final Map<String, Tensor> initializers;
  private final Map<String, Node> producers = new HashMap<>();
  private final Map<String, List<Node>> consumers = new HashMap<>();

  /** One operator of the graph, e.g. {@code MatMul} with inputs {@code [x, onnx::MatMul_1234]}. */
  public record Node(String name, String opType, List<String> inputs, List<String> outputs, Map<String, Attribute> attributes) {

    /** The attribute of that name, if the node has it. */
    public Optional<Attribute> attribute(String attributeName) {
      return Optional.ofNullable(attributes.get(attributeName));
    }
  }

  /**
   * A node attribute; which of the values is set depends on its type ({@code f} for FLOAT, {@code i}
   * for INT, {@code s} for STRING, {@code t} for TENSOR, {@code ints} for INTS).
   */
  public record Attribute(String name, float f, long i, String s, Tensor t, long[] ints) {}

  /** Element types of onnx.proto's {@code TensorProto.DataType} that the import reads. */
  private static final int FLOAT = 1;
  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int FLOAT16 = 10;
  private static final int DOUBLE = 11;
  private static final int BFLOAT16 = 16;

  /**
   * A tensor of the file (an initializer or a {@code Constant}'s value): its name, shape and element
   * type, and its values, decoded when asked.
   */
  public static final class Tensor {
    private final Path file;
    private final String name;
    private final long[] dims;
    private final int dataType;
    private final ByteBuffer raw;
    private final float[] floatData;
    private final long[] intData;
    private final double[] doubleData;
    private final String externalLocation;

    private Tensor(Path file, TensorFields f) {
      this.file = file;
      this.name = f.name;
      this.dims = f.dims.stream().mapToLong(Long::longValue).toArray();
      this.dataType = f.dataType;
      this.raw = f.raw;
      this.floatData = toFloats(f.floatData);
      this.intData = f.intData.stream().mapToLong(Long::longValue).toArray();
      this.doubleData = f.doubleData.stream().mapToDouble(Double::doubleValue).toArray();
      this.externalLocation = f.external ? f.externalLocation : null;
    }

    /** The tensor's name in the graph, e.g. {@code encoder.layer.0.attention.self.query.bias} or {@code onnx::MatMul_1234}. */
    public String name() {
      return name;
    }

    /** Dimensions, outermost first; empty for a scalar. */
    public long[] dims() {
      return dims.clone();
    }

    /** Number of elements. */
    public long numel() {
      return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    /** True for the floating-point element types (FLOAT, FLOAT16, BFLOAT16, DOUBLE). */
    public boolean isFloatingPoint() {
      return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16 || dataType == DOUBLE;
    }

    /** The values as float32, row-major (FLOAT16 and BFLOAT16 exactly, DOUBLE rounded). */
    public float[] floats() throws CheckpointException {
      int n = elementCount();
      float[] out = new float[n];
      switch (dataType) {
        case FLOAT -> {
          if (raw != null) {
            decodeRaw(DType.F32, out);
          } else {
            copyStored(floatData.length, n);
            System.arraycopy(floatData, 0, out, 0, n);
          }
        }
        case DOUBLE -> {
          if (raw != null) {
            decodeRaw(DType.F64, out);
          } else {
            copyStored(doubleData.length, n);
            for (int k = 0; k < n; k++) {
              out[k] = (float) doubleData[k];
            }
          }
        }
        case FLOAT16, BFLOAT16 -> {
          if (raw != null) {
            decodeRaw(dataType == FLOAT16 ? DType.F16 : DType.BF16, out);
          } else { // onnx.proto keeps 16-bit floats in int32_data, one per element
            copyStored(intData.length, n);
            for (int k = 0; k < n; k++) {
              short bits = (short) intData[k];
              out[k] = dataType == FLOAT16 ? FloatDecoding.halfToFloat(bits) : FloatDecoding.bfloat16ToFloat(bits);
            }
          }
        }
        default -> throw new CheckpointException(file, "tensor '" + name + "' holds " + typeName() + ", not floating-point values");
      }
      return out;
    }

    /** The values of an INT64 or INT32 tensor, row-major. */
    public long[] longs() throws CheckpointException {
      int n = elementCount();
      if (dataType != INT64 && dataType != INT32) {
        throw new CheckpointException(file, "tensor '" + name + "' holds " + typeName() + ", not integers");
      }
      if (raw == null) {
        copyStored(intData.length, n);
        return Arrays.copyOf(intData, n);
      }
      int width = dataType == INT64 ? 8 : 4;
      checkRawLength(width, n);
      ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[n];
      for (int k = 0; k < n; k++) {
        out[k] = width == 8 ? b.getLong() : b.getInt();
      }
      return out;
    }

    /** The element type, as onnx.proto names it. */
    public String typeName() {
      return switch (dataType) {
        case FLOAT -> "FLOAT";
        case INT32 -> "INT32";
        case INT64 -> "INT64";
        case FLOAT16 -> "FLOAT16";
        case DOUBLE -> "DOUBLE";
        case BFLOAT16 -> "BFLOAT16";
        default -> "data type " + dataType;
      };
    }

    private int elementCount() throws CheckpointException {
      if (externalLocation != null) {
        throw new CheckpointException(file, "tensor '" + name + "' keeps its values in the external file '"
            + externalLocation + "'; jbert reads ONNX files that hold their weights themselves");
      }
      long n = numel();
      if (n > Integer.MAX_VALUE - 8) {
        throw new CheckpointException(file, "tensor '" + name + "' " + Arrays.toString(dims) + " has too many elements");
      }
      return (int) n;
    }

    private void decodeRaw(DType type, float[] out) throws CheckpointException {
      checkRawLength(type.bytes, out.length);
      FloatDecoding.decode(raw.duplicate().order(ByteOrder.LITTLE_ENDIAN), type, out, 0, out.length);
    }

    private void checkRawLength(int width, int n) throws CheckpointException {
      if (raw.remaining() != (long) width * n) {
        throw new CheckpointException(file, "tensor '" + name + "' " + Arrays.toString(dims) + " of " + typeName()
            + " needs " + (long) width * n + " bytes of raw_data, the file holds " + raw.remaining());
      }
    }

    private void copyStored(int stored, int n) throws CheckpointException {
      if (stored != n) {
        throw new CheckpointException(file, "tensor '" + name + "' " + Arrays.toString(dims) + " needs " + n
            + " values, the file holds " + stored);
      }
    }

    private static float[] toFloats(List<Float> values) {
      float[] out = new float[values.size()];
      for (int k = 0; k < out.length; k++) {
        out[k] = values.get(k);
      }
      return out;
    }
  }

  private OnnxFile(Path file, long irVersion, List<Node> nodes, Map<String, Tensor> initializers) {
    this.file = file;
    this.irVersion = irVersion;
    this.nodes = List.copyOf(nodes);
    this.initializers = initializers;
    for (Node n : nodes) {
      n.outputs().forEach(o -> producers.put(o, n));
      n.inputs().forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
    }
  }

  /**
   * Reads the graph of an ONNX file.
   *
   * @throws CheckpointException naming the file when it is not an ONNX model or is cut short
   */
  public static OnnxFile read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "not found");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new CheckpointException(file, size + " bytes: larger than protobuf's 2 GB limit, so not one ONNX file "
            + "(exports that big keep their weights in external data files, which jbert does not read)");
      }
      ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return new Parser(file, mapped).model();
    } catch (InvalidProtocolBufferException e) {
      throw new CheckpointException(file, "not an ONNX model, or cut short (protobuf: " + e.getMessage() + ")");
    }
  }

  /** The file this graph was read from. */
  public Path file() {
    return file;
  }

  /** The model's {@code ir_version}. */
  public long irVersion() {
    return irVersion;
  }

  /** The nodes in the graph's (topological) order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** The initializers by name, in file order. */
  public Map<String, Tensor> initializers() {
    return initializers;
  }

  /** The node whose output {@code value} is, if any (graph inputs and initializers have none). */
  public Optional<Node> producer(String value) {
    return Optional.ofNullable(producers.get(value));
  }

  /** The nodes that take {@code value} as an input, in graph order. */
  public List<Node> consumers(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  /**
   * The constant behind {@code value}: an initializer of that name or the tensor of the {@code Constant}
   * node that outputs it (its {@code value} or {@code value_float} attribute).
   */
  public Optional<Tensor> constant(String value) {
    Tensor init = initializers.get(value);
    if (init != null) {
      return Optional.of(init);
    }
    return producer(value).filter(n -> n.opType().equals("Constant")).flatMap(n -> n.attribute("value").map(Attribute::t)
        .or(() -> n.attribute("value_float").map(a -> scalar(value, a.f()))));
  }

  private Tensor scalar(String name, float value) {
    TensorFields f = new TensorFields();
    f.name = name;
    f.dataType = FLOAT;
    f.floatData.add(value);
    return new Tensor(file, f);
  }

  /** The fields of a TensorProto while it is read. */
  private static final class TensorFields {
    String name = "";
    final List<Long> dims = new ArrayList<>();
    int dataType;
    ByteBuffer raw;
    final List<Float> floatData = new ArrayList<>();
    final List<Long> intData = new ArrayList<>();
    final List<Double> doubleData = new ArrayList<>();
    boolean external;
    String externalLocation = "?";
  }

  /** Reads one ModelProto; each method reads the message of its name up to the current limit. */
  private static final class Parser {
    private static final int VARINT = WireFormat.WIRETYPE_VARINT;
    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int FIXED32 = WireFormat.WIRETYPE_FIXED32;
    private static final int FIXED64 = WireFormat.WIRETYPE_FIXED64;

    private final Path file;
    private final ByteBuffer bytes;
    private final CodedInputStream in;

    Parser(Path file, ByteBuffer bytes) {
      this.file = file;
      this.bytes = bytes;
      this.in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(Integer.MAX_VALUE);
    }

    private static int tag(int field, int wireType) {
      return field << 3 | wireType;
    }

    OnnxFile model() throws IOException {
      long irVersion = 0;
      boolean sawGraph = false;
      List<Node> nodes = new ArrayList<>();
      Map<String, Tensor> initializers = new LinkedHashMap<>();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, VARINT)) {
          irVersion = in.readInt64();
        } else if (tag == tag(7, LEN)) {
          int limit = in.pushLimit(in.readRawVarint32());
          graph(nodes, initializers);
          in.popLimit(limit);
          sawGraph = true;
        } else {
          in.skipField(tag);
        }
      }
      if (!sawGraph) {
        throw new CheckpointException(file, "holds no graph: not an ONNX model");
      }
      return new OnnxFile(file, irVersion, nodes, initializers);
    }

    private void graph(List<Node> nodes, Map<String, Tensor> initializers) throws IOException {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, LEN)) {
          nodes.add(message(this::node));
        } else if (tag == tag(5, LEN)) {
          Tensor t = new Tensor(file, message(this::tensor));
          if (initializers.put(t.name(), t) != null) {
            throw new CheckpointException(file, "initializer '" + t.name() + "' is given twice");
          }
        } else {
          in.skipField(tag);
        }
      }
    }

    private Node node() throws IOException {
      String name = "";
      String opType = "";
      List<String> inputs = new ArrayList<>();
      List<String> outputs = new ArrayList<>();
      Map<String, Attribute> attributes = new LinkedHashMap<>();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, LEN)) {
          inputs.add(in.readString());
        } else if (tag == tag(2, LEN)) {
          outputs.add(in.readString());
        } else if (tag == tag(3, LEN)) {
          name = in.readString();
        } else if (tag == tag(4, LEN)) {
          opType = in.readString();
        } else if (tag == tag(5, LEN)) {
          Attribute a = message(this::attribute);
          attributes.put(a.name(), a);
        } else {
          in.skipField(tag);
        }
      }
      return new Node(name, opType, List.copyOf(inputs), List.copyOf(outputs), attributes);
    }

    private Attribute attribute() throws IOException {
      String name = "";
      float f = 0;
      long i = 0;
      String s = null;
      Tensor t = null;
      List<Long> ints = new ArrayList<>();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, LEN)) {
          name = in.readString();
        } else if (tag == tag(2, FIXED32)) {
          f = in.readFloat();
        } else if (tag == tag(3, VARINT)) {
          i = in.readInt64();
        } else if (tag == tag(4, LEN)) {
          s = in.readString();
        } else if (tag == tag(5, LEN)) {
          t = new Tensor(file, message(this::tensor));
        } else if (tag == tag(8, VARINT) || tag == tag(8, LEN)) {
          repeated(tag, () -> ints.add(in.readInt64()));
        } else {
          in.skipField(tag);
        }
      }
      return new Attribute(name, f, i, s, t, ints.stream().mapToLong(Long::longValue).toArray());
    }

    private TensorFields tensor() throws IOException {
      TensorFields t = new TensorFields();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, VARINT) || tag == tag(1, LEN)) {
          repeated(tag, () -> t.dims.add(in.readInt64()));
        } else if (tag == tag(2, VARINT)) {
          t.dataType = in.readInt32();
        } else if (tag == tag(4, FIXED32) || tag == tag(4, LEN)) {
          repeated(tag, () -> t.floatData.add(in.readFloat()));
        } else if (tag == tag(5, VARINT) || tag == tag(5, LEN) || tag == tag(7, VARINT) || tag == tag(7, LEN)) {
          repeated(tag, () -> t.intData.add(in.readInt64())); // int32_data and int64_data: both varints
        } else if (tag == tag(8, LEN)) {
          t.name = in.readString();
        } else if (tag == tag(9, LEN)) {
          int length = in.readRawVarint32();
          int at = in.getTotalBytesRead();
          in.skipRawBytes(length); // throws when the file is cut short
          t.raw = bytes.slice(at, length);
        } else if (tag == tag(10, FIXED64) || tag == tag(10, LEN)) {
          repeated(tag, () -> t.doubleData.add(in.readDouble()));
        } else if (tag == tag(13, LEN)) {
          t.external = true;
          String[] entry = message(this::stringEntry);
          if (entry[0].equals("location")) {
            t.externalLocation = entry[1];
          }
        } else if (tag == tag(14, VARINT)) {
          t.external |= in.readEnum() == 1; // DataLocation.EXTERNAL
        } else {
          in.skipField(tag);
        }
      }
      return t;
    }

    private String[] stringEntry() throws IOException {
      String[] kv = {"", ""};
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(1, LEN)) {
          kv[0] = in.readString();
        } else if (tag == tag(2, LEN)) {
          kv[1] = in.readString();
        } else {
          in.skipField(tag);
        }
      }
      return kv;
    }

    @FunctionalInterface
    private interface ElementReader {
      void read() throws IOException;
    }

    /** One element of a repeated scalar field, or a packed run of them (the length-delimited form). */
    private void repeated(int tag, ElementReader element) throws IOException {
      if (WireFormat.getTagWireType(tag) != LEN) {
        element.read();
        return;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      while (in.getBytesUntilLimit() > 0) {
        element.read();
      }
      in.popLimit(limit);
    }

    @FunctionalInterface
    private interface MessageReader<T> {
      T read() throws IOException;
    }

    /** Reads a length-delimited sub-message with {@code reader}. */
    private <T> T message(MessageReader<T> reader) throws IOException {
      int limit = in.pushLimit(in.readRawVarint32());
      T value = reader.read();
      in.checkLastTagWas(0);
      in.popLimit(limit);
      return value;
    }
  }
}
