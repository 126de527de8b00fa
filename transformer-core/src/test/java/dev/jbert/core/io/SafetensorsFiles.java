package dev.jbert.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests control every field, hostile ones included. */
final class SafetensorsFiles {
  private SafetensorsFiles() {}

  /** 8-byte little-endian length of {@code header}, the header, then {@code data}. */
  static byte[] bytes(String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return bytes(json.length, json, data);
  }

  /** As {@link #bytes(String, byte[])} with an arbitrary (possibly lying) length field. */
  static byte[] bytes(long declaredLength, byte[] header, byte[] data) {
    ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(declaredLength).put(header).put(data);
    return out.array();
  }

  static Path write(Path file, String header, byte[] data) throws IOException {
    return Files.write(file, bytes(header, data));
  }

  /** Little-endian shorts, as F16/BF16 storages hold them. */
  static byte[] shorts(int... values) {
    ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      out.putShort((short) v);
    }
    return out.array();
  }

  static byte[] floats(float... values) {
    ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      out.putFloat(v);
    }
    return out.array();
  }

  static byte[] doubles(double... values) {
    ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      out.putDouble(v);
    }
    return out.array();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer out = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }
}
