package dev.jbert.core.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}}} (offsets relative to the end of the
 * header, optional {@code __metadata__} of strings), then raw little-endian data.
 *
 * <p>Reading validates the whole header first (known dtype, non-negative shape, offsets inside the
 * file that match dtype × shape and do not overlap, header at most 100 MB), then memory-maps
 * each tensor's bytes in windows of at most 1 GiB, so files and tensors beyond 2 GB work. F32, F16,
 * BF16 (exactly) and F64 (rounded) become float32; integer buffers such as
 * {@code embeddings.position_ids} are skipped. Any defect gives a {@link CheckpointException}
 * naming the file and tensor.
 */
public final class Safetensors {

  /** Largest mapping made at once; a multiple of every element width. */
  static final int MAP_WINDOW_BYTES = 1 << 30;
  /** Largest Java array the JVMs in use allocate reliably. */
  static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private Safetensors() {}

  /** Reads every floating-point tensor of a file as float32, in header order; integer buffers are skipped. */
  public static LinkedHashMap<String, TensorData> read(Path file) throws IOException {
    return load(file, MAP_WINDOW_BYTES).tensors();
  }

  /** The file's {@code __metadata__} strings (e.g. {@code format: pt}); empty when it has none. */
  public static Map<String, String> metadata(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return SafetensorsHeader.read(channel, file).metadata;
    }
  }

  /**
   * Writes tensors as F32, atomically (temporary file beside {@code file}, forced to disk, then
   * renamed over it), in one deterministic layout, that of the shared test models: {@code
   * __metadata__} first, holding {@code metadata} plus {@code format: pt} unless it names another
   * format; then the tensors sorted by name; every JSON object's keys sorted; the header padded with
   * spaces to a multiple of 8 bytes. Reading the file back gives bit-identical floats.
   *
   * @param metadata extra {@code __metadata__} strings, may be null
   */
  public static void write(Path file, List<? extends StoredTensor> tensors, Map<String, String> metadata)
      throws IOException {
    SafetensorsWriter.write(file, tensors, metadata);
  }

  /** Reads the file, mapping at most {@code windowBytes} at a time (tests use small windows). */
  static LoadedTensors load(Path file, int windowBytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      SafetensorsHeader header = SafetensorsHeader.read(channel, file);
      LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
      Set<String> skipped = new LinkedHashSet<>();
      for (SafetensorsHeader.Entry e : header.entries) {
        if (!e.dtype().floating) {
          skipped.add(e.name()); // integer buffers (position_ids, token_type_ids) are not parameters
          continue;
        }
        if (e.numel() > MAX_ARRAY_LENGTH) {
          throw new CheckpointException(file, "tensor '" + e.name() + "': " + e.numel()
              + " elements do not fit in one Java float array");
        }
        float[] values = new float[(int) e.numel()];
        new MappedTensor(file, header.dataStart, e, windowBytes)
            .read((offset, chunk, count) -> System.arraycopy(chunk, 0, values, (int) offset, count));
        tensors.put(e.name(), new TensorData(e.name(), e.shape(), values));
      }
      return new LoadedTensors(tensors, skipped);
    }
  }

  /**
   * The floating-point tensors of a file, in header order, validated as {@link #read} does but not
   * read: each is read from the file, a chunk at a time, when its {@link StoredTensor#read} is called.
   */
  public static LinkedHashMap<String, StoredTensor> open(Path file) throws IOException {
    SafetensorsHeader header;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      header = SafetensorsHeader.read(channel, file);
    }
    LinkedHashMap<String, StoredTensor> tensors = new LinkedHashMap<>();
    for (SafetensorsHeader.Entry e : header.entries) {
      if (e.dtype().floating) {
        tensors.put(e.name(), new MappedTensor(file, header.dataStart, e, MAP_WINDOW_BYTES));
      }
    }
    return tensors;
  }

  /**
   * A tensor of a safetensors file, decoded a chunk at a time from mappings of at most
   * {@code windowBytes} of its bytes when read.
   */
  private record MappedTensor(Path file, long dataStart, SafetensorsHeader.Entry entry, int windowBytes)
      implements StoredTensor {

    @Override
    public String name() {
      return entry.name();
    }

    @Override
    public long[] shape() {
      return entry.shape().clone();
    }

    @Override
    public void read(ChunkSink sink) throws IOException {
      DType dtype = entry.dtype();
      float[] chunk = new float[(int) Math.min(CHUNK, Math.max(1, entry.numel()))];
      long perWindow = Math.max(1, windowBytes / dtype.bytes);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        if (channel.size() < dataStart + entry.end()) {
          throw new CheckpointException(file, "tensor '" + entry.name() + "': the file is shorter than when its header was read");
        }
        for (long done = 0; done < entry.numel(); ) {
          int inWindow = (int) Math.min(perWindow, entry.numel() - done);
          MappedByteBuffer window = channel.map(
              FileChannel.MapMode.READ_ONLY, dataStart + entry.begin() + done * dtype.bytes, (long) inWindow * dtype.bytes);
          window.order(ByteOrder.LITTLE_ENDIAN);
          for (int from = 0; from < inWindow; from += chunk.length) {
            int n = Math.min(chunk.length, inWindow - from);
            FloatDecoding.decode(window, dtype, chunk, 0, n);
            sink.accept(done + from, chunk, n);
          }
          done += inWindow;
        }
      }
    }
  }

}
