package dev.jbert.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Optimizer state for resuming, as one safetensors file (conventionally {@value #FILE_NAME} in a
 * checkpoint directory) that Python's {@code safetensors} can also open.
 *
 * <p>Tensors: {@code <param>.exp_avg} and {@code <param>.exp_avg_sq} for every trainable parameter,
 * in layout order, shaped like the parameter, in the parameters' own precision ({@code F64} for
 * DOUBLE, {@code F32} for FLOAT), so a resumed run continues bit for bit. Frozen parameters have no
 * state. {@code __metadata__} (all strings): {@code format}, {@code optimizer} (kind),
 * {@code step}, {@code dtype}, {@code layout} (JSON list of every parameter's name and shape),
 * {@code trainable} (JSON list of names) and every entry of {@link OptimizerConfig#describe()}; the
 * schedule position is the step count.
 *
 * <p>Written to a temporary file beside the target, flushed to disk and renamed over it. Restoring
 * checks format, optimizer kind, layout, trainable set and hyperparameters before changing
 * anything, and names the first difference ({@link CheckpointException}). A file of the other precision is accepted and converted.
 */
public final class OptimizerStateFile {

  /** The usual file name inside a checkpoint directory. */
  public static final String FILE_NAME = "optimizer.safetensors";
  /** Value of the {@code format} metadata entry. */
  public static final String FORMAT = "jbert-optimizer-state/1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] MOMENTS = {"exp_avg", "exp_avg_sq"};
  /** Elements converted per chunk, so that saving a large model needs no large temporary arrays. */
  private static final int CHUNK = 1 << 20;

  private OptimizerStateFile() {}

  /** Writes {@code opt}'s state to {@code file} atomically (parent directories are created). */
  static void write(Path file, AdamBase opt) throws IOException {
    Parameters params = opt.parameters();
    boolean f64 = params.dataType() == DataType.DOUBLE;
    int width = f64 ? 8 : 4;

    ObjectNode header = JSON.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    meta.put("format", FORMAT);
    meta.put("optimizer", opt.kind());
    meta.put("step", Long.toString(opt.stepCount()));
    meta.put("dtype", params.dataType().toString());
    meta.put("layout", JSON.writeValueAsString(layoutJson(params)));
    meta.put("trainable", JSON.writeValueAsString(opt.groups().trainableNames()));
    opt.config().describe().forEach(meta::put);

    List<INDArray> tensors = new ArrayList<>();
    long offset = 0;
    for (String name : opt.groups().trainableNames()) {
      for (String moment : MOMENTS) {
        INDArray view = opt.momentRange(moment.equals("exp_avg_sq"), name);
        ObjectNode info = header.putObject(name + "." + moment);
        info.put("dtype", f64 ? "F64" : "F32");
        ArrayNode shape = info.putArray("shape");
        Arrays.stream(params.shape(name)).forEach(shape::add);
        long bytes = view.length() * width;
        info.putArray("data_offsets").add(offset).add(offset + bytes);
        offset += bytes;
        tensors.add(view);
      }
    }
    byte[] headerBytes = paddedHeader(header);

    AtomicFiles.writeChannel(file, ch -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes.length);
      writeFully(ch, len);
      writeFully(ch, ByteBuffer.wrap(headerBytes));
      ByteBuffer buf = ByteBuffer.allocate(CHUNK * width).order(ByteOrder.LITTLE_ENDIAN);
      for (INDArray t : tensors) {
        for (long start = 0; start < t.length(); start += CHUNK) {
          INDArray chunk = FlatView.of(t, start, Math.min(CHUNK, t.length() - start));
          buf.clear();
          if (f64) {
            buf.asDoubleBuffer().put(chunk.toDoubleVector());
          } else {
            buf.asFloatBuffer().put(chunk.toFloatVector());
          }
          buf.limit((int) chunk.length() * width);
          writeFully(ch, buf);
        }
      }
    });
  }

  /** Checks {@code file} against {@code opt}, then loads its moments and step count into it. */
  static void read(Path file, AdamBase opt) throws IOException {
    Parameters params = opt.parameters();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0, file);
      long headerLen = len.getLong(0);
      if (size < 8 || headerLen <= 0 || headerLen > size - 8) {
        throw problem(file, "header length " + headerLen + " does not fit a " + size + "-byte file (not a safetensors file?)");
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
      readFully(ch, headerBuf, 8, file);
      JsonNode header;
      try {
        header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        throw problem(file, "header is not valid JSON: " + e.getOriginalMessage());
      }
      JsonNode meta = header.path("__metadata__");
      checkEqual(file, "format", FORMAT, meta.path("format").asText(null));
      checkEqual(file, "optimizer", opt.kind(), meta.path("optimizer").asText(null));
      checkLayout(file, params, meta.path("layout").asText(""));
      checkEqual(file, "trainable", JSON.writeValueAsString(opt.groups().trainableNames()), meta.path("trainable").asText(null));
      for (Map.Entry<String, String> e : opt.config().describe().entrySet()) {
        checkEqual(file, "hyperparameter " + e.getKey(), e.getValue(), meta.path(e.getKey()).asText(null));
      }
      long step = parseStep(file, meta.path("step").asText(""));

      Map<String, Slice> slices = locate(file, header, opt, size - 8 - headerLen);
      long dataStart = 8 + headerLen;
      for (String name : opt.groups().trainableNames()) {
        load(ch, file, dataStart, slices.get(name + ".exp_avg"), opt.momentRange(false, name));
        load(ch, file, dataStart, slices.get(name + ".exp_avg_sq"), opt.momentRange(true, name));
      }
      opt.setStepCount(step);
    }
  }

  /** Where one tensor's bytes are and how wide each element is. */
  private record Slice(long begin, int width) {}

  /** Checks every tensor entry (names, dtypes, shapes, offsets) before any data is read. */
  private static Map<String, Slice> locate(Path file, JsonNode header, AdamBase opt, long dataBytes) throws IOException {
    Parameters params = opt.parameters();
    Map<String, long[]> expected = new LinkedHashMap<>();
    for (String name : opt.groups().trainableNames()) {
      for (String moment : MOMENTS) {
        expected.put(name + "." + moment, params.shape(name));
      }
    }
    Map<String, Slice> slices = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals("__metadata__")) {
        continue;
      }
      long[] shape = expected.get(key);
      if (shape == null) {
        throw problem(file, "tensor '" + key + "' does not belong to this optimizer's trainable parameters");
      }
      JsonNode info = e.getValue();
      String dtype = info.path("dtype").asText();
      int width = switch (dtype) {
        case "F64" -> 8;
        case "F32" -> 4;
        default -> throw problem(file, "tensor '" + key + "': unsupported dtype " + dtype + " (F32 or F64)");
      };
      long[] fileShape = new long[info.path("shape").size()];
      for (int i = 0; i < fileShape.length; i++) {
        fileShape[i] = info.path("shape").get(i).asLong();
      }
      if (!Arrays.equals(shape, fileShape)) {
        throw problem(file, "tensor '" + key + "' has shape " + Arrays.toString(fileShape) + ", the parameter has " + Arrays.toString(shape));
      }
      long begin = info.path("data_offsets").path(0).asLong(-1);
      long end = info.path("data_offsets").path(1).asLong(-1);
      long bytes = Arrays.stream(shape).reduce(1, Math::multiplyExact) * width;
      if (begin < 0 || end - begin != bytes || end > dataBytes) {
        throw problem(file, "tensor '" + key + "': data_offsets [" + begin + ", " + end + "] do not fit " + dtype + " "
            + Arrays.toString(shape) + " in " + dataBytes + " data bytes (truncated file?)");
      }
      slices.put(key, new Slice(begin, width));
    }
    for (String key : expected.keySet()) {
      if (!slices.containsKey(key)) {
        throw problem(file, "no state for tensor '" + key + "'");
      }
    }
    return slices;
  }

  /** Reads one tensor chunk by chunk into {@code flat} (a flat moment view). */
  private static void load(FileChannel ch, Path file, long dataStart, Slice slice, INDArray flat) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK * slice.width()).order(ByteOrder.LITTLE_ENDIAN);
    for (long start = 0; start < flat.length(); start += CHUNK) {
      int n = (int) Math.min(CHUNK, flat.length() - start);
      buf.clear().limit(n * slice.width());
      readFully(ch, buf, dataStart + slice.begin() + start * slice.width(), file);
      buf.flip();
      INDArray chunk;
      if (slice.width() == 8) {
        double[] d = new double[n];
        buf.asDoubleBuffer().get(d);
        chunk = Nd4j.createFromArray(d);
      } else {
        float[] f = new float[n];
        buf.asFloatBuffer().get(f);
        chunk = Nd4j.createFromArray(f);
      }
      FlatView.of(flat, start, n).assign(chunk);
    }
  }

  private static ArrayNode layoutJson(Parameters params) {
    ArrayNode layout = JSON.createArrayNode();
    for (String name : params.names()) {
      ObjectNode t = layout.addObject();
      t.put("name", name);
      ArrayNode shape = t.putArray("shape");
      Arrays.stream(params.shape(name)).forEach(shape::add);
    }
    return layout;
  }

  /** Compares the saved parameter layout with {@code params}, naming the first tensor that differs. */
  private static void checkLayout(Path file, Parameters params, String savedJson) throws IOException {
    JsonNode saved;
    try {
      saved = JSON.readTree(savedJson);
    } catch (JsonProcessingException e) {
      throw problem(file, "metadata 'layout' is not valid JSON");
    }
    if (saved == null || !saved.isArray()) {
      throw problem(file, "metadata 'layout' is missing");
    }
    ArrayNode current = layoutJson(params);
    int n = Math.min(saved.size(), current.size());
    for (int i = 0; i < n; i++) {
      // compared as text: the parsed shape holds int nodes where the built one holds longs
      if (!saved.get(i).toString().equals(current.get(i).toString())) {
        throw problem(file, "parameter layout differs at tensor " + i + ": saved " + saved.get(i) + ", model has " + current.get(i));
      }
    }
    if (saved.size() != current.size()) {
      throw problem(file, "parameter layout differs: saved " + saved.size() + " tensors, model has " + current.size()
          + (saved.size() > n ? "; first extra saved: " + saved.get(n) : "; first extra in model: " + current.get(n)));
    }
  }

  private static void checkEqual(Path file, String what, String expected, String saved) throws IOException {
    if (!expected.equals(saved)) {
      throw problem(file, what + " differs: saved " + (saved == null ? "(missing)" : "'" + saved + "'") + ", this optimizer has '" + expected + "'");
    }
  }

  private static long parseStep(Path file, String text) throws IOException {
    try {
      long step = Long.parseLong(text);
      if (step >= 0) {
        return step;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw problem(file, "metadata 'step' must be a non-negative integer, got '" + text + "'");
  }

  private static byte[] paddedHeader(ObjectNode header) throws JsonProcessingException {
    byte[] json = JSON.writeValueAsBytes(header);
    byte[] padded = new byte[(json.length + 7) / 8 * 8]; // data starts 8-byte aligned, as safetensors pads
    Arrays.fill(padded, (byte) ' ');
    System.arraycopy(json, 0, padded, 0, json.length);
    return padded;
  }

  private static CheckpointException problem(Path file, String what) {
    return new CheckpointException(file, what);
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw problem(file, "file ends early (truncated?)");
      }
      pos += n;
    }
  }
}
