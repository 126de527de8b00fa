package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.jbert.core.BertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link Checkpoints#open} on a safetensors file: the same names, order, shapes and values as
 * {@link Checkpoints#read}, read a chunk at a time, so that nothing tensor-sized is allocated; and a
 * file cut short after it was opened is reported, naming the file and tensor.
 */
class StreamedLoadingTest {

  @TempDir Path tmp;

  @Test
  void givesWhatReadGivesChunkByChunk() throws Exception {
    Path dir = SharedFixtures.model("all-MiniLM-L6-v2");
    LinkedHashMap<String, StoredTensor> opened = Checkpoints.open(dir);
    LinkedHashMap<String, TensorData> read = Checkpoints.read(dir);
    assertEquals(List.copyOf(read.keySet()), List.copyOf(opened.keySet()));
    for (Map.Entry<String, TensorData> e : read.entrySet()) {
      StoredTensor t = opened.get(e.getKey());
      assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
      float[] expected = e.getValue().data();
      long[] next = {0};
      int[] largestChunk = {0};
      t.read((offset, values, count) -> {
        assertEquals(next[0], offset, "chunks come in order");
        for (int i = 0; i < count; i++) {
          assertEquals(Float.floatToRawIntBits(expected[(int) offset + i]), Float.floatToRawIntBits(values[i]), e.getKey());
        }
        next[0] += count;
        largestChunk[0] = Math.max(largestChunk[0], count);
      });
      assertEquals(expected.length, next[0], e.getKey());
      assertTrue(largestChunk[0] <= 1 << 16, "chunks, not the tensor: " + largestChunk[0]);
    }
  }

  @Test
  void readingTheWordEmbeddingsAllocatesNoTensorSizedArray() throws Exception {
    StoredTensor words = Checkpoints.open(SharedFixtures.model("all-MiniLM-L6-v2")).get("embeddings.word_embeddings.weight");
    long before = allocatedBytes();
    double[] sum = {0};
    words.read((offset, values, count) -> {
      for (int i = 0; i < count; i++) {
        sum[0] += values[i];
      }
    });
    long allocated = allocatedBytes() - before;
    assertEquals(138.0507221492362, sum[0], 0.0, "SharedModelsReadTest's sum of the same floats");
    assertTrue(allocated < 4L << 20, "46.9 MB of floats read with " + allocated + " bytes allocated");
  }

  @Test
  void loadingAModelCopiesItsWeightsWithoutTheHeap() throws Exception {
    long before = allocatedBytes();                              // Backend.init() ran before the class (BackendFirst)
    try (BertModel model = BertModel.fromPretrained(SharedFixtures.model("all-MiniLM-L6-v2"), DataType.FLOAT)) {
      long allocated = allocatedBytes() - before;
      assertEquals(22_713_216, model.parameters().size(), "all-MiniLM-L6-v2 and its pooler");
      assertTrue(allocated < 32L << 20, "90 MB of weights loaded with " + (allocated >> 20) + " MB allocated on the heap");
    }
  }

  @Test
  void aFileCutShortAfterOpeningIsReported() throws Exception {
    Path file = tmp.resolve("model.safetensors");
    Files.copy(SharedFixtures.model("tiny-random-bert").resolve("model.safetensors"), file);
    LinkedHashMap<String, StoredTensor> opened = Checkpoints.open(tmp);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(length, 0);
      channel.truncate(8 + length.getLong(0));                 // the header stays, the data goes
    }
    StoredTensor first = opened.values().iterator().next();
    CheckpointException e = assertThrows(CheckpointException.class, () -> first.read((offset, values, count) -> {}));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(first.name()), e.getMessage());
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
