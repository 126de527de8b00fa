package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing: the shared models' exact layout, bit-identical round trips, atomic replacement. */
class SafetensorsWriteTest {

  @TempDir Path tmp;

  @Test
  void rewritingTheTinyModelGivesTheSameBytes() throws Exception {
    var original = Safetensors.read(SharedFixtures.tinySafetensors());
    Path copy = tmp.resolve("model.safetensors");
    List<TensorData> shuffled = new ArrayList<>(original.values());
    java.util.Collections.reverse(shuffled); // the writer sorts by name, so input order does not matter

    Safetensors.write(copy, shuffled, Map.of("format", "pt"));

    assertArrayEquals(Files.readAllBytes(SharedFixtures.tinySafetensors()), Files.readAllBytes(copy));
  }

  @Test
  void streamedTensorsAreWrittenAsArraysAreAndShortOnesRefused() throws Exception {
    var original = Safetensors.read(SharedFixtures.tinySafetensors());
    List<StoredTensor> streamed = new ArrayList<>();
    for (TensorData t : original.values()) {                  // handed over 7 values at a time
      streamed.add(new Chunked(t.name(), t.shape(), t.data(), t.data().length));
    }
    Path copy = tmp.resolve("model.safetensors");
    Safetensors.write(copy, streamed, Map.of("format", "pt"));
    assertArrayEquals(Files.readAllBytes(SharedFixtures.tinySafetensors()), Files.readAllBytes(copy));

    Path refused = tmp.resolve("short.safetensors");
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.write(refused,
        List.of(new Chunked("w", new long[] {4, 5}, new float[20], 19)), null));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("19 values"), e.getMessage());
    assertTrue(Files.notExists(refused), "nothing is left under the target name");
  }

  /** A tensor handing over the first {@code count} of its values, 7 at a time. */
  private record Chunked(String name, long[] shape, float[] values, int count) implements StoredTensor {
    @Override
    public void read(ChunkSink sink) throws java.io.IOException {
      float[] chunk = new float[7];
      for (int from = 0; from < count; from += chunk.length) {
        int n = Math.min(chunk.length, count - from);
        System.arraycopy(values, from, chunk, 0, n);
        sink.accept(from, chunk, n);
      }
    }
  }

  @Test
  void roundTripIsBitIdenticalForAwkwardValues() throws Exception {
    float[] awkward = {Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffa00001), -0.0f, 0.0f,
        Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, 1e-42f, (float) Math.PI};
    List<TensorData> tensors = List.of(
        new TensorData("b.awkward", new long[] {2, 5}, awkward),
        new TensorData("a.scalar", new long[] {}, new float[] {42f}),
        new TensorData("c.empty", new long[] {0, 3}, new float[0]),
        new TensorData("d.\u00e9t\u00e9", new long[] {1}, new float[] {7f}));
    Path file = tmp.resolve("awkward.safetensors");

    Safetensors.write(file, tensors, Map.of("epoch", "3"));

    var read = Safetensors.read(file);
    assertEquals(List.of("a.scalar", "b.awkward", "c.empty", "d.\u00e9t\u00e9"), List.copyOf(read.keySet()));
    SharedFixtures.assertBitIdentical(
        Map.of("a.scalar", tensors.get(1), "b.awkward", tensors.get(0), "c.empty", tensors.get(2), "d.\u00e9t\u00e9", tensors.get(3)), read);
    assertEquals(Map.of("format", "pt", "epoch", "3"), Safetensors.metadata(file));
    long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8, "data starts 8-byte aligned");
  }

  @Test
  void writeLeavesNoTemporaryFileBehind() throws Exception {
    Path file = tmp.resolve("model.safetensors");
    Safetensors.write(file, List.of(new TensorData("w", new long[] {2}, new float[] {1, 2})), null);
    Safetensors.write(file, List.of(new TensorData("w", new long[] {2}, new float[] {3, 4})), null);

    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList());
    }
    assertArrayEquals(new float[] {3, 4}, Safetensors.read(file).get("w").data());
  }

  @Test
  void failedWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws Exception {
    Path file = tmp.resolve("model.safetensors");
    Safetensors.write(file, List.of(new TensorData("w", new long[] {2}, new float[] {1, 2})), null);
    byte[] before = Files.readAllBytes(file);

    // the writer Safetensors.write uses, failing after half the bytes, like a full disk
    var e = assertThrows(java.io.IOException.class, () -> AtomicFiles.writeChannel(file, channel -> {
      channel.write(ByteBuffer.wrap(new byte[1 << 20]));
      throw new java.io.IOException("No space left on device");
    }));

    assertEquals("No space left on device", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void duplicateNamesAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path file = tmp.resolve("model.safetensors");
    var t = new TensorData("w", new long[] {1}, new float[] {1});
    var e = assertThrows(CheckpointException.class, () -> Safetensors.write(file, List.of(t, t), null));
    assertTrue(e.getMessage().contains("'w' is given twice"), e.getMessage());
    assertTrue(Files.notExists(file));
  }

  @Test
  void smallMappingWindowsReadTheSameValues() throws Exception {
    Path file = SharedFixtures.tinySafetensors();
    var whole = Safetensors.read(file);
    var windowed = Safetensors.load(file, 12).tensors(); // 3 floats per mapping: many window edges
    SharedFixtures.assertBitIdentical(whole, windowed);
  }

  /** A sparse file whose one F32 tensor starts past 2^31: offsets are longs end to end. */
  @Test
  void readsATensorBeyondTwoGigabytes() throws Exception {
    long far = (1L << 31) + 8;
    String header = "{\"filler\":{\"dtype\":\"U8\",\"shape\":[" + far + "],\"data_offsets\":[0," + far + "]},"
        + "\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + far + "," + (far + 8) + "]}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    Path file = tmp.resolve("big.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(SafetensorsFiles.bytes(json.length, json, new byte[0]));
      raf.seek(8 + json.length + far);
      raf.write(SafetensorsFiles.floats(1.5f, -2.25f)); // everything before it is a hole
    }

    var read = Safetensors.load(file, Safetensors.MAP_WINDOW_BYTES);

    assertArrayEquals(new float[] {1.5f, -2.25f}, read.tensors().get("far").data());
    assertEquals(java.util.Set.of("filler"), read.skipped());
  }
}
