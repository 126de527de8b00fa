package dev.jbert.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated header of a safetensors file. Validation happens here, before any
 * tensor data is touched, so that readers can trust every entry: known dtype, non-negative shape
 * whose element count fits a long, offsets inside the data section that match dtype × shape and do
 * not overlap.
 */
final class SafetensorsHeader {

  /** Headers larger than this are refused rather than read (the largest real ones are ~1 MB). */
  static final long MAX_HEADER_BYTES = 100L << 20;

  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * One tensor's entry.
   *
   * @param numel product of {@code shape}
   * @param begin first byte, relative to the start of the data section
   * @param end one past the last byte, relative to the start of the data section
   */
  record Entry(String name, DType dtype, long[] shape, long numel, long begin, long end) {}

  /** The file this header belongs to, for messages. */
  final Path file;
  /** Absolute file position of the first data byte: 8 + header length. */
  final long dataStart;
  /** Tensors in header order. */
  final List<Entry> entries;
  /** The {@code __metadata__} string map, empty when absent. */
  final Map<String, String> metadata;

  private SafetensorsHeader(Path file, long dataStart, List<Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.entries = Collections.unmodifiableList(entries);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /** Reads and validates the header of an open file. */
  static SafetensorsHeader read(FileChannel channel, Path file) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw new CheckpointException(file, "file is " + fileSize + " bytes, too short for the 8-byte header length (truncated?)");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lengthBytes, 0, file);
    long headerLength = lengthBytes.getLong(0);
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
      throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
          + " is outside [2, " + MAX_HEADER_BYTES + "] bytes: not a safetensors file, or corrupt");
    }
    if (headerLength > fileSize - 8) {
      throw new CheckpointException(file, "header length " + headerLength + " runs past the end of the "
          + fileSize + "-byte file (truncated?)");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBytes, 8, file);
    headerBytes.flip();
    JsonNode root = parseJson(headerBytes, file);
    long dataStart = 8 + headerLength;
    long dataSize = fileSize - dataStart;

    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(field.getValue(), file);
      } else {
        entries.add(parseEntry(field.getKey(), field.getValue(), dataSize, file));
      }
    }
    checkNoOverlap(entries, file);
    return new SafetensorsHeader(file, dataStart, entries, metadata);
  }

  private static JsonNode parseJson(ByteBuffer headerBytes, Path file) throws CheckpointException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(headerBytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new CheckpointException(file, "header is not valid UTF-8 (" + e.getMessage() + ")");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (header character " + e.getLocation().getCharOffset() + ")";
      throw new CheckpointException(file, "header is not valid JSON: " + e.getOriginalMessage() + where);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file, "header must be a JSON object {name: {dtype, shape, data_offsets}}");
    }
    return root;
  }

  private static Map<String, String> parseMetadata(JsonNode node, Path file) throws CheckpointException {
    if (!node.isObject()) {
      throw new CheckpointException(file, METADATA_KEY + " must be a JSON object of strings");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(file, METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
      }
      metadata.put(e.getKey(), e.getValue().textValue());
    }
    return metadata;
  }

  private static Entry parseEntry(String name, JsonNode info, long dataSize, Path file) throws CheckpointException {
    String where = "tensor '" + name + "': ";
    if (!info.isObject()) {
      throw new CheckpointException(file, where + "entry is not a JSON object");
    }
    JsonNode dtypeNode = info.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CheckpointException(file, where + "missing or non-string 'dtype'");
    }
    DType dtype = DType.ofSafetensorsName(dtypeNode.textValue()).orElseThrow(() -> new CheckpointException(
        file, where + "unknown dtype '" + dtypeNode.textValue() + "' (known: " + Arrays.toString(DType.values()) + ")"));

    long[] shape = nonNegativeLongs(info.get("shape"), -1, where + "'shape'", file);
    long numel;
    long byteLength;
    try {
      numel = TensorDataShapes.numel(shape);
      byteLength = Math.multiplyExact(numel, dtype.bytes);
    } catch (ArithmeticException e) {
      throw new CheckpointException(file, where + "shape " + Arrays.toString(shape) + " has more elements than fit in a long");
    }

    long[] offsets = nonNegativeLongs(info.get("data_offsets"), 2, where + "'data_offsets'", file);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new CheckpointException(file, where + "data_offsets [" + begin + ", " + end + "] end before they begin");
    }
    if (end - begin != byteLength) {
      throw new CheckpointException(file, where + "data_offsets [" + begin + ", " + end + "] span " + (end - begin)
          + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + byteLength);
    }
    if (end > dataSize) {
      throw new CheckpointException(file, where + "data_offsets [" + begin + ", " + end + "] run past the end of the "
          + dataSize + "-byte data section (truncated?)");
    }
    return new Entry(name, dtype, shape, numel, begin, end);
  }

  /** A JSON array of non-negative integers; {@code length} -1 means any length. */
  private static long[] nonNegativeLongs(JsonNode node, int length, String what, Path file) throws CheckpointException {
    if (node == null || !node.isArray()) {
      throw new CheckpointException(file, what + " is missing or not an array");
    }
    if (length >= 0 && node.size() != length) {
      throw new CheckpointException(file, what + " must have " + length + " elements, has " + node.size());
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new CheckpointException(file, what + " element " + i + " is " + v + ", not a non-negative integer");
      }
      values[i] = v.longValue();
    }
    return values;
  }

  private static void checkNoOverlap(List<Entry> entries, Path file) throws CheckpointException {
    List<Entry> byBegin = new ArrayList<>(entries);
    byBegin.removeIf(e -> e.begin == e.end); // empty tensors occupy no bytes
    byBegin.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byBegin.size(); i++) {
      Entry previous = byBegin.get(i - 1);
      Entry current = byBegin.get(i);
      if (current.begin < previous.end) {
        throw new CheckpointException(file, "tensor '" + current.name + "': data_offsets [" + current.begin + ", "
            + current.end + "] overlap those of tensor '" + previous.name + "' [" + previous.begin + ", " + previous.end + "]");
      }
    }
  }

  static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
    long pos = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos);
      if (n < 0) {
        throw new CheckpointException(file, "file ends at byte " + pos + " (truncated?)");
      }
      pos += n;
    }
  }
}
