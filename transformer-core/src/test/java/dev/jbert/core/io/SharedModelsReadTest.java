package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Reads every shared model and compares it with numbers computed once, independently, by Python's
 * {@code struct}/{@code zlib} straight from the file bytes:
 *
 * <pre>
 * crc  = zlib.crc32 over the raw bytes of every F32 tensor, in header order
 * sum  = float64 left-to-right sum of the word-embedding floats
 * last = bits of the word embedding's last float;  v100 = its element 100
 * </pre>
 */
class SharedModelsReadTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // model, float tensors, elements, crc, word embedding name, rows, cols, sum, last bits, element 100
    "tiny-random-bert, 41, 20077, 7a580933, bert.embeddings.word_embeddings.weight, 99, 32, 0.2912318331639199, 988461779, 0.04049883410334587",
    "tiny-random-bert-large-init, 41, 20077, 4226acc0, bert.embeddings.word_embeddings.weight, 99, 32, 21.116967632900923, 3172513547, 0.062139417976140976",
    "tiny-random-bert-regression, 41, 20011, 1c059196, bert.embeddings.word_embeddings.weight, 99, 32, 0.2912318331639199, 988461779, 0.04049883410334587",
    "all-MiniLM-L6-v2, 101, 22565376, 27d16a4d, embeddings.word_embeddings.weight, 30522, 384, 138.0507221492362, 999669881, 0.004566192626953125",
    "bge-small-zh-v1.5, 69, 23691264, b04e2e90, embeddings.word_embeddings.weight, 21128, 512, 465.0300055742264, 999030784, -0.002227783203125",
  })
  void readsSharedModelsBitExactly(String model, int tensors, long elements, String crc, String wordName,
      long rows, long cols, double sum, long lastBits, float element100) throws Exception {
    LinkedHashMap<String, TensorData> read = Checkpoints.read(SharedFixtures.model(model));

    assertEquals(tensors, read.size());
    assertEquals(elements, read.values().stream().mapToLong(TensorData::numel).sum());
    assertEquals(Long.parseLong(crc, 16), crc32(read), "CRC32 of all float bytes");
    TensorData word = read.get(wordName);
    assertArrayEquals(new long[] {rows, cols}, word.shape());
    double total = 0;
    for (float v : word.data()) {
      total += v;
    }
    assertEquals(sum, total, 0.0, "same summation order, so the same double");
    assertEquals(lastBits, Integer.toUnsignedLong(Float.floatToRawIntBits(word.data()[word.numel() - 1])));
    assertEquals(element100, word.data()[100]);
    read.values().forEach(t -> assertTrue(t.name().contains("embeddings") || t.name().contains("encoder")
        || t.name().contains("classifier") || t.name().contains("pooler"), t.name()));
  }

  @Test
  void skipsMiniLmPositionIdsAndKeepsHeaderOrder() throws Exception {
    var read = Safetensors.load(SharedFixtures.model("all-MiniLM-L6-v2").resolve("model.safetensors"), Safetensors.MAP_WINDOW_BYTES);
    assertEquals(java.util.Set.of("embeddings.position_ids"), read.skipped());
    assertFalse(read.tensors().containsKey("embeddings.position_ids"));
    assertEquals("embeddings.LayerNorm.bias", read.tensors().keySet().iterator().next());
    assertArrayEquals(new long[] {1536, 384}, read.tensors().get("encoder.layer.5.intermediate.dense.weight").shape());
  }

  @Test
  void readsMetadata() throws Exception {
    assertEquals(Map.of("format", "pt"), Safetensors.metadata(SharedFixtures.tinySafetensors()));
  }

  /** CRC32 of every value as little-endian float32 bytes, in map order (= header order). */
  private static long crc32(Map<String, TensorData> tensors) {
    CRC32 crc = new CRC32();
    for (TensorData t : tensors.values()) {
      ByteBuffer bytes = ByteBuffer.allocate(4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(t.data());
      crc.update(bytes);
    }
    return crc.getValue();
  }
}
