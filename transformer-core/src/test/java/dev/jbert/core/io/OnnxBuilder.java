package dev.jbert.core.io;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX files for tests, field by field as onnx.proto numbers them (protobuf's writer, no
 * generated classes): nodes with attributes and initializers with raw or typed data. The graphs
 * need not run; they hold what a weight import reads.
 */
public final class OnnxBuilder {

  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();

  /** Adds a node; {@code attributes} come from the static attribute methods. */
  public OnnxBuilder node(String opType, List<String> inputs, List<String> outputs, byte[]... attributes) {
    nodes.add(message(out -> {
      for (String i : inputs) {
        out.writeString(1, i);
      }
      for (String o : outputs) {
        out.writeString(2, o);
      }
      out.writeString(3, opType + "_" + nodes.size());
      out.writeString(4, opType);
      for (byte[] a : attributes) {
        out.writeByteArray(5, a);
      }
    }));
    return this;
  }

  /** Adds a FLOAT initializer with its values in {@code raw_data}, little-endian. */
  public OnnxBuilder initializer(String name, long[] dims, float[] values) {
    initializers.add(floatTensor(name, dims, values));
    return this;
  }

  /** Adds a FLOAT initializer with its values in the packed {@code float_data} field. */
  public OnnxBuilder floatDataInitializer(String name, long[] dims, float[] values) {
    initializers.add(message(out -> {
      writeDims(out, dims);
      out.writeInt32(2, 1);
      out.writeString(8, name);
      out.writeTag(4, 2);
      out.writeUInt32NoTag(4 * values.length);
      for (float v : values) {
        out.writeFloatNoTag(v);
      }
    }));
    return this;
  }

  /** Adds an INT64 initializer in {@code raw_data}. */
  public OnnxBuilder int64Initializer(String name, long[] dims, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    initializers.add(tensor(name, dims, 7, raw.array()));
    return this;
  }

  /** Adds an initializer whose values live in an external file. */
  public OnnxBuilder externalInitializer(String name, long[] dims, String location) {
    initializers.add(message(out -> {
      writeDims(out, dims);
      out.writeInt32(2, 1);
      out.writeString(8, name);
      out.writeByteArray(13, message(e -> {
        e.writeString(1, "location");
        e.writeString(2, location);
      }));
      out.writeEnum(14, 1);
    }));
    return this;
  }

  /** Adds a FLOAT initializer whose {@code raw_data} holds {@code bytes} bytes, whatever its shape needs. */
  public OnnxBuilder rawInitializer(String name, long[] dims, int bytes) {
    initializers.add(tensor(name, dims, 1, new byte[bytes]));
    return this;
  }

  /** A FLOAT attribute. */
  public static byte[] floatAttribute(String name, float value) {
    return message(out -> {
      out.writeString(1, name);
      out.writeFloat(2, value);
      out.writeEnum(20, 1);
    });
  }

  /** An INT attribute. */
  public static byte[] intAttribute(String name, long value) {
    return message(out -> {
      out.writeString(1, name);
      out.writeInt64(3, value);
      out.writeEnum(20, 2);
    });
  }

  /** A STRING attribute. */
  public static byte[] stringAttribute(String name, String value) {
    return message(out -> {
      out.writeString(1, name);
      out.writeString(4, value);
      out.writeEnum(20, 3);
    });
  }

  /** A TENSOR attribute holding a FLOAT tensor, e.g. a {@code Constant}'s {@code value}. */
  public static byte[] tensorAttribute(String name, long[] dims, float... values) {
    return message(out -> {
      out.writeString(1, name);
      out.writeByteArray(5, floatTensor("", dims, values));
      out.writeEnum(20, 4);
    });
  }

  /** Nodes added so far; node {@code k} is named {@code <opType>_k}. */
  public int nodeCount() {
    return nodes.size();
  }

  /** The serialized ModelProto. */
  public byte[] bytes() {
    byte[] graph = message(out -> {
      for (byte[] n : nodes) {
        out.writeByteArray(1, n);
      }
      out.writeString(2, "test");
      for (byte[] t : initializers) {
        out.writeByteArray(5, t);
      }
    });
    return message(out -> {
      out.writeInt64(1, 8);
      out.writeString(2, "jbert-test");
      out.writeByteArray(8, message(o -> {
        o.writeString(1, "");
        o.writeInt64(2, 17);
      }));
      out.writeByteArray(7, graph);
    });
  }

  /** Writes {@link #bytes()} to {@code file}. */
  public Path write(Path file) throws IOException {
    return Files.write(file, bytes());
  }

  private static byte[] floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return tensor(name, dims, 1, raw.array());
  }

  private static byte[] tensor(String name, long[] dims, int dataType, byte[] raw) {
    return message(out -> {
      writeDims(out, dims);
      out.writeInt32(2, dataType);
      out.writeString(8, name);
      out.writeByteArray(9, raw);
    });
  }

  /** Unpacked, one varint per dimension, as the reference writer does. */
  private static void writeDims(CodedOutputStream out, long[] dims) throws IOException {
    for (long d : dims) {
      out.writeInt64(1, d);
    }
  }

  @FunctionalInterface
  private interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      body.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
