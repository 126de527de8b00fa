package dev.jbert.core.io;

import dev.jbert.core.io.TorchPickle.StorageRef;
import dev.jbert.core.io.TorchPickle.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Legacy {@code pytorch_model.bin} files as {@code torch.save} (PyTorch 1.6 and later) writes them:
 * a zip holding {@code <archive>/data.pkl}, a pickle of the state dict whose tensors point through
 * persistent ids at raw little-endian storages {@code <archive>/data/<key>}.
 *
 * <p>The pickle is run by {@link PickleMachine} with {@link TorchPickle}, which allows only the
 * globals that rebuild tensors, so no code in the file is ever executed. Tensors are rebuilt from
 * storage, storage offset, size and stride (non-contiguous views and storages shared by several
 * tensors included); integer tensors such as {@code position_ids} are skipped. Zip entry names that
 * escape the archive, storages too small for their tensors and sizes the zip directory cannot back
 * are errors, checked before anything large is allocated.
 */
public final class PytorchBin {

  /** A state-dict pickle takes ~110 bytes per tensor; refuse absurd ones instead of reading them. */
  static final long MAX_PICKLE_BYTES = 16L << 20;
  /** DEFLATE cannot expand data more than about 1032:1; a bigger claimed ratio is a lie. */
  private static final long MAX_DEFLATE_RATIO = 1032;

  private PytorchBin() {}

  /** Reads every floating-point tensor of a {@code pytorch_model.bin} as float32, in pickle order. */
  public static LinkedHashMap<String, TensorData> read(Path file) throws IOException {
    return load(file).tensors();
  }

  static LoadedTensors load(Path file) throws IOException {
    checkIsZip(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      checkEntryNames(zip, file);
      String prefix = archivePrefix(zip, file);
      ByteOrder order = byteOrder(zip, prefix, file);
      String pickleName = prefix + "data.pkl";
      Object root = PickleMachine.load(readPickle(zip, zip.getEntry(pickleName), file), file, pickleName, new TorchPickle(file));
      return materialize(zip, prefix, order, stateDict(root, file), file);
    } catch (ZipException e) {
      throw new CheckpointException(file, "corrupt zip archive: " + e.getMessage());
    }
  }

  private static void checkIsZip(Path file) throws IOException {
    byte[] magic = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(magic, 0, 4);
      if (n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
        return;
      }
      if (n >= 1 && (magic[0] & 0xff) == 0x80) {
        throw new CheckpointException(file, "is a legacy (before PyTorch 1.6) non-zip torch.save file, which is not "
            + "supported; re-save it with a recent PyTorch or convert it to safetensors");
      }
      throw new CheckpointException(file, "is not a zip archive, so not a torch.save file");
    }
  }

  /** Refuses entry names that could escape an extraction directory (a sign of a hostile file). */
  private static void checkEntryNames(ZipFile zip, Path file) throws CheckpointException {
    for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
      String name = it.nextElement().getName();
      boolean absolute = name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':');
      boolean climbs = Arrays.asList(name.split("[/\\\\]")).contains("..");
      if (absolute || climbs || name.indexOf('\0') >= 0) {
        throw new CheckpointException(file, "zip entry '" + name + "' points outside the archive (path traversal)");
      }
    }
  }

  /** The {@code <archive>/} folder holding {@code data.pkl} (empty when it is at the top). */
  private static String archivePrefix(ZipFile zip, Path file) throws CheckpointException {
    List<String> pickles = new ArrayList<>();
    for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
      String name = it.nextElement().getName();
      if (name.equals("data.pkl") || (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - 9)) {
        pickles.add(name);
      }
    }
    if (pickles.size() != 1) {
      throw new CheckpointException(file, "expected one <archive>/data.pkl entry, found " + pickles);
    }
    return pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
  }

  /** Newer PyTorch records the storages' byte order; older files are little-endian. */
  private static ByteOrder byteOrder(ZipFile zip, String prefix, Path file) throws IOException {
    ZipEntry entry = zip.getEntry(prefix + "byteorder");
    if (entry == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    try (InputStream in = zip.getInputStream(entry)) {
      String text = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
      return switch (text) {
        case "little" -> ByteOrder.LITTLE_ENDIAN;
        case "big" -> ByteOrder.BIG_ENDIAN;
        default -> throw new CheckpointException(file, entry.getName() + " says '" + text + "', not little or big");
      };
    }
  }

  private static byte[] readPickle(ZipFile zip, ZipEntry entry, Path file) throws IOException {
    if (entry.getSize() > MAX_PICKLE_BYTES) {
      throw new CheckpointException(file, entry.getName() + " claims " + entry.getSize() + " bytes, more than the "
          + MAX_PICKLE_BYTES + " a state-dict pickle can plausibly need");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] pickle = in.readNBytes((int) MAX_PICKLE_BYTES + 1);
      if (pickle.length > MAX_PICKLE_BYTES) {
        throw new CheckpointException(file, entry.getName() + " is larger than " + MAX_PICKLE_BYTES + " bytes");
      }
      return pickle;
    }
  }

  /** The unpickled object must be a dict of name → tensor. */
  private static LinkedHashMap<String, TensorRef> stateDict(Object root, Path file) throws CheckpointException {
    if (!(root instanceof Map<?, ?> map)) {
      throw new CheckpointException(file, "the pickle holds " + PickleMachine.describe(root) + ", not a state dict");
    }
    LinkedHashMap<String, TensorRef> refs = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef tensor)) {
        throw new CheckpointException(file, "state dict entry " + PickleMachine.describe(e.getKey()) + " is "
            + PickleMachine.describe(e.getValue()) + ", not a tensor");
      }
      refs.put(name, tensor);
    }
    return refs;
  }

  /** Reads each floating-point storage once and cuts its tensors out of it. */
  private static LoadedTensors materialize(
      ZipFile zip, String prefix, ByteOrder order, Map<String, TensorRef> refs, Path file) throws IOException {
    LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
    Set<String> skipped = new LinkedHashSet<>();
    Map<StorageRef, List<String>> users = new LinkedHashMap<>();
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      StorageRef storage = e.getValue().storage();
      if (!storage.dtype().floating) {
        skipped.add(e.getKey()); // integer buffers (position_ids) are not parameters
        continue;
      }
      tensors.put(e.getKey(), null); // keeps pickle order; filled below
      users.computeIfAbsent(storage, s -> new ArrayList<>()).add(e.getKey());
    }
    for (Map.Entry<StorageRef, List<String>> e : users.entrySet()) {
      List<String> names = e.getValue();
      float[] storage = readStorage(zip, prefix + "data/" + e.getKey().key(), e.getKey(), order, names.get(0), file);
      for (String name : names) {
        tensors.put(name, StridedView.tensor(name, refs.get(name), storage, names.size() == 1, file));
      }
    }
    return new LoadedTensors(tensors, skipped);
  }

  /** Decodes a whole storage entry to float32, after checking that the zip can really back it. */
  private static float[] readStorage(
      ZipFile zip, String entryName, StorageRef storage, ByteOrder order, String tensor, Path file) throws IOException {
    String where = "tensor '" + tensor + "': storage entry '" + entryName + "'";
    ZipEntry entry = zip.getEntry(entryName);
    if (entry == null) {
      throw new CheckpointException(file, where + " is missing");
    }
    DType dtype = storage.dtype();
    if (storage.numel() > Safetensors.MAX_ARRAY_LENGTH) {
      throw new CheckpointException(file, where + " declares " + storage.numel() + " elements, more than one Java array holds");
    }
    long bytes = storage.numel() * dtype.bytes;
    if (entry.getSize() != bytes) {
      throw new CheckpointException(file, where + " holds " + entry.getSize() + " bytes, but the pickle declares "
          + storage.numel() + " " + dtype + " elements (" + bytes + " bytes)");
    }
    long packed = entry.getCompressedSize();
    boolean plausible = packed >= 0 && packed <= Files.size(file)
        && (entry.getMethod() == ZipEntry.STORED ? packed == bytes : bytes <= packed * MAX_DEFLATE_RATIO);
    if (!plausible) {
      throw new CheckpointException(file, where + ": the zip directory claims " + bytes + " bytes stored in " + packed
          + ", which this " + Files.size(file) + "-byte file cannot hold");
    }
    float[] values = new float[(int) storage.numel()];
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(order);
    int filled = 0;
    try (InputStream in = zip.getInputStream(entry)) {
      while (filled < values.length) {
        int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
        if (n < 0) {
          throw new CheckpointException(file, where + " ends after " + ((long) filled * dtype.bytes + buffer.position())
              + " of " + bytes + " bytes (truncated?)");
        }
        buffer.position(buffer.position() + n);
        buffer.flip();
        int elements = Math.min(buffer.remaining() / dtype.bytes, values.length - filled);
        FloatDecoding.decode(buffer, dtype, values, filled, elements);
        filled += elements;
        buffer.compact();
      }
    }
    return values;
  }
}
