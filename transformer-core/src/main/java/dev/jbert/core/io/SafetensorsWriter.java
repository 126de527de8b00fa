package dev.jbert.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes F32 safetensors files in one deterministic layout, the one of the shared test models:
 * {@code __metadata__} first (with {@code "format": "pt"} unless the caller gives a format), then the
 * tensors sorted by name, every object's keys sorted, no spaces, the header padded with spaces to a
 * multiple of 8 bytes so that the data starts aligned, and the data in header order.
 */
final class SafetensorsWriter {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_FLOATS = 1 << 18;

  private SafetensorsWriter() {}

  static void write(Path file, List<? extends StoredTensor> tensors, Map<String, String> metadata) throws IOException {
    List<StoredTensor> sorted = sortedByName(tensors, file);
    byte[] header = header(sorted, metadata);
    AtomicFiles.writeChannel(file, channel -> {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
      writeFully(channel, length);
      writeFully(channel, ByteBuffer.wrap(header));
      ByteBuffer chunk = ByteBuffer.allocateDirect(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
      for (StoredTensor t : sorted) {
        long[] written = {0};
        t.read((offset, values, count) -> {
          for (int from = 0; from < count; from += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, count - from);
            chunk.clear();
            chunk.asFloatBuffer().put(values, from, n);
            chunk.limit(4 * n);
            writeFully(channel, chunk);
          }
          written[0] += count;
        });
        if (written[0] != numel(t)) {
          throw new CheckpointException(file, "tensor '" + t.name() + "' of shape " + Arrays.toString(t.shape())
              + " handed over " + written[0] + " values");
        }
      }
    });
  }

  private static long numel(StoredTensor t) {
    return Arrays.stream(t.shape()).reduce(1, Math::multiplyExact);
  }

  private static List<StoredTensor> sortedByName(List<? extends StoredTensor> tensors, Path file)
      throws CheckpointException {
    Set<String> seen = new HashSet<>();
    for (StoredTensor t : tensors) {
      if (t.name().isEmpty() || t.name().equals(SafetensorsHeader.METADATA_KEY)) {
        throw new CheckpointException(file, "cannot write a tensor named '" + t.name() + "'");
      }
      if (!seen.add(t.name())) {
        throw new CheckpointException(file, "tensor '" + t.name() + "' is given twice");
      }
    }
    List<StoredTensor> sorted = new ArrayList<>(tensors);
    sorted.sort((a, b) -> compareCodePoints(a.name(), b.name()));
    return sorted;
  }

  /** The padded JSON header. */
  private static byte[] header(List<StoredTensor> sorted, Map<String, String> metadata) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    Map<String, String> meta = new TreeMap<>(SafetensorsWriter::compareCodePoints);
    meta.put("format", "pt");
    if (metadata != null) {
      meta.putAll(metadata);
    }
    ObjectNode metaNode = root.putObject(SafetensorsHeader.METADATA_KEY);
    meta.forEach(metaNode::put);
    long offset = 0;
    for (StoredTensor t : sorted) {
      long bytes = 4L * numel(t);
      ObjectNode info = root.putObject(t.name());
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      info.put("dtype", "F32");
      var shape = info.putArray("shape");
      Arrays.stream(t.shape()).forEach(shape::add);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
    Arrays.fill(padded, json.length, padded.length, (byte) ' ');
    return padded;
  }

  /** Orders strings by Unicode code point, as Python's {@code sorted} and {@code json.dumps(sort_keys=True)} do. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
