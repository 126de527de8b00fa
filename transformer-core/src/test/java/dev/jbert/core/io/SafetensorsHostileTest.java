package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every damaged or hostile safetensors file gives a {@link CheckpointException} that names the file
 * and what is wrong (and the tensor where there is one), quickly, without a crash or a huge
 * allocation.
 */
@Timeout(10)
class SafetensorsHostileTest {

  @TempDir Path tmp;

  private static final String GOOD_ENTRY = "\"ok\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

  /** Writes {@code bytes}, reads it, and checks the message names the file and each fragment. */
  private CheckpointException refused(byte[] bytes, String... fragments) throws Exception {
    Path file = Files.write(tmp.resolve("bad.safetensors"), bytes);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
    }
    return e;
  }

  private CheckpointException refusedHeader(String header, int dataBytes, String... fragments) throws Exception {
    return refused(SafetensorsFiles.bytes(header, new byte[dataBytes]), fragments);
  }

  @Test
  void truncatedCopyOfARealModel() throws Exception {
    byte[] whole = Files.readAllBytes(SharedFixtures.tinySafetensors());
    refused(Arrays.copyOf(whole, whole.length * 3 / 5), "run past the end", "truncated?", "tensor 'bert.");
  }

  @Test
  void fileTooShortForTheLengthField() throws Exception {
    refused(new byte[] {1, 2, 3, 4, 5}, "5 bytes, too short");
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws Exception {
    byte[] header = ("{" + GOOD_ENTRY + "}").getBytes(StandardCharsets.UTF_8);
    refused(SafetensorsFiles.bytes(100_000, header, new byte[8]), "header length 100000 runs past the end");
  }

  @ParameterizedTest
  @ValueSource(longs = {1L << 40, -1L, 0L})
  void absurdHeaderLengthIsRefusedWithoutAllocating(long length) throws Exception {
    refused(SafetensorsFiles.bytes(length, new byte[16], new byte[0]), "header length " + Long.toUnsignedString(length), "outside");
  }

  @Test
  void headerThatIsNotUtf8() throws Exception {
    byte[] header = SafetensorsFiles.concat("{\"a".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xff, (byte) 0xfe},
        "\":{}}".getBytes(StandardCharsets.US_ASCII));
    refused(SafetensorsFiles.bytes(header.length, header, new byte[0]), "not valid UTF-8");
  }

  @Test
  void malformedJson() throws Exception {
    refusedHeader("{\"ok\":{\"dtype\":\"F32\",", 0, "not valid JSON");
  }

  @Test
  void trailingGarbageAfterTheJson() throws Exception {
    refusedHeader("{" + GOOD_ENTRY + "} {\"x\":1}", 8, "not valid JSON");
  }

  @Test
  void headerThatIsNotAnObject() throws Exception {
    refusedHeader("[1, 2, 3]", 0, "must be a JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dtype", "shape", "data_offsets"})
  void missingField(String field) throws Exception {
    var fields = new java.util.LinkedHashMap<>(java.util.Map.of("dtype", "\"F32\"", "shape", "[2]", "data_offsets", "[0,8]"));
    fields.remove(field);
    String entry = fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
        .collect(java.util.stream.Collectors.joining(",", "{", "}"));
    refusedHeader("{\"w\":" + entry + "}", 8, "tensor 'w'", field);
  }

  @Test
  void overlappingOffsets() throws Exception {
    refusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "overlap", "'a'", "'b'");
  }

  @Test
  void offsetsOutOfRange() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8, "tensor 'w'", "[8, 16]", "8-byte data section");
  }

  @Test
  void offsetsThatEndBeforeTheyBegin() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, "tensor 'w'", "end before they begin");
  }

  @Test
  void byteLengthNotMatchingDtypeTimesShape() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "tensor 'w'", "span 8 bytes but F16 [3] needs 6");
  }

  @Test
  void unknownDtype() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "tensor 'w'", "unknown dtype 'F8_E4M3'");
  }

  @Test
  void negativeDimension() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}}", 8, "tensor 'w'", "-1, not a non-negative integer");
  }

  @Test
  void fractionalDimension() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8, "tensor 'w'", "1.5");
  }

  @Test
  void shapeWhoseElementCountOverflows() throws Exception {
    refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
        "tensor 'w'", "more elements than fit in a long");
  }

  @Test
  void duplicateTensorName() throws Exception {
    refusedHeader("{" + GOOD_ENTRY + "," + GOOD_ENTRY + "}", 8, "Duplicate field 'ok'");
  }

  @Test
  void metadataThatIsNotStrings() throws Exception {
    refusedHeader("{\"__metadata__\":{\"epoch\":3}," + GOOD_ENTRY + "}", 8, "__metadata__ value of 'epoch' is not a string");
  }

  /** 2^31 floats cannot be one Java array: refused from the header, before any allocation (sparse 8 GB file). */
  @Test
  void tensorTooLargeForAJavaArray() throws Exception {
    long numel = 1L << 31;
    byte[] header = ("{\"huge\":{\"dtype\":\"F32\",\"shape\":[" + numel + "],\"data_offsets\":[0," + 4 * numel + "]}}")
        .getBytes(StandardCharsets.UTF_8);
    Path file = tmp.resolve("huge.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(SafetensorsFiles.bytes(header.length, header, new byte[0]));
      raf.setLength(8 + header.length + 4 * numel);
    }
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().contains("tensor 'huge': 2147483648 elements do not fit in one Java float array"), e.getMessage());
  }
}
