package dev.jbert.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}}} (offsets relative to the end of the
 * header, optional {@code __metadata__}), then raw little-endian data.
 */
public final class Safetensors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /** Reads every floating-point tensor of a file as float32; integer buffers (I64) are skipped. */
  public static LinkedHashMap<String, TensorData> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file);
      long headerLen = lenBuf.getLong(0);
      if (headerLen <= 0 || headerLen > fileSize - 8) {
        throw new CheckpointException(file, "header length " + headerLen + " is past the end of a " + fileSize + "-byte file");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8, file);
      JsonNode root;
      try {
        root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new CheckpointException(file, "header is not valid JSON: " + e.getMessage());
      }
      long dataStart = 8 + headerLen;
      ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, fileSize - dataStart).order(ByteOrder.LITTLE_ENDIAN);
      LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        String name = e.getKey();
        JsonNode info = e.getValue();
        String dtype = info.path("dtype").asText();
        long[] shape = new long[info.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = info.path("shape").get(i).asLong();
        }
        long begin = info.path("data_offsets").path(0).asLong(-1);
        long end = info.path("data_offsets").path(1).asLong(-1);
        if (dtype.equals("I64")) {
          continue; // buffers such as embeddings.position_ids are not parameters
        }
        if (!dtype.equals("F32")) {
          throw new CheckpointException(file, "tensor '" + name + "': unsupported dtype " + dtype);
        }
        long count = TensorDataShapes.numel(shape);
        if (begin < 0 || end < begin || end > data.capacity() || end - begin != count * 4) {
          throw new CheckpointException(file, "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] do not fit " + dtype + " " + java.util.Arrays.toString(shape));
        }
        float[] values = new float[(int) count];
        data.slice((int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        out.put(name, new TensorData(name, shape, values));
      }
      return out;
    }
  }

  /**
   * Writes tensors as F32 in the given order, atomically: to a temporary file beside {@code file},
   * then renamed over it.
   */
  public static void write(Path file, List<TensorData> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (TensorData t : tensors) {
      ObjectNode info = header.putObject(t.name());
      info.put("dtype", "F32");
      var shape = info.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long bytes = 4L * t.numel();
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // pad with spaces so the data starts 8-byte aligned
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);

    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (TensorData t : tensors) {
        for (float v : t.data()) {
          if (!buf.hasRemaining()) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
          }
          buf.putFloat(v);
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new CheckpointException(file, "file ends early (truncated?)");
      }
      pos += n;
    }
  }
}
