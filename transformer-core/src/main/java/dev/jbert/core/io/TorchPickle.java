package dev.jbert.core.io;

import dev.jbert.core.io.PickleMachine.Tuple;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The only things a {@code torch.save} state-dict pickle may refer to: {@code
 * collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} (and {@code _rebuild_parameter}),
 * and the typed storage classes ({@code torch.FloatStorage}, {@code torch.HalfStorage}, ...), which
 * appear inside persistent ids. Any other global (e.g. {@code os.system}, {@code builtins.eval}) is
 * refused by name. Nothing is ever called for real: "calls" build {@link TensorRef} descriptions
 * that {@link PytorchBin} later fills from the zip's storage entries.
 */
final class TorchPickle implements PickleMachine.Environment {

  /** A storage the pickle refers to: the zip entry {@code data/<key>} holding {@code numel} elements. */
  record StorageRef(String key, DType dtype, long numel) {}

  /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage, in elements. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

  /** The value of {@code GLOBAL torch XStorage}. */
  private record StorageType(String name, DType dtype) {}

  /** The allowed callables. */
  private enum Function {
    ORDERED_DICT("collections.OrderedDict"),
    REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter");

    final String pythonName;

    Function(String pythonName) {
      this.pythonName = pythonName;
    }
  }

  private static final Map<String, Object> ALLOWED = allowed();
  private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

  private final Path file;
  private final Map<String, StorageRef> storages = new HashMap<>();

  TorchPickle(Path file) {
    this.file = file;
  }

  private static Map<String, Object> allowed() {
    Map<String, Object> allowed = new HashMap<>();
    for (Function f : Function.values()) {
      allowed.put(f.pythonName, f);
    }
    Map<String, DType> storageTypes = Map.of(
        "FloatStorage", DType.F32, "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16,
        "DoubleStorage", DType.F64, "LongStorage", DType.I64, "IntStorage", DType.I32,
        "ShortStorage", DType.I16, "CharStorage", DType.I8, "ByteStorage", DType.U8, "BoolStorage", DType.BOOL);
    storageTypes.forEach((name, dtype) -> allowed.put("torch." + name, new StorageType(name, dtype)));
    return Map.copyOf(allowed);
  }

  @Override
  public Object global(String module, String name) throws CheckpointException {
    Object value = ALLOWED.get(module + "." + name);
    if (value == null) {
      throw new CheckpointException(file, "pickle refers to the global '" + module + "." + name
          + "', which is not allowed: only torch tensor-rebuilding globals are (the file may be malicious)");
    }
    return value;
  }

  @Override
  public Object call(Object callable, Tuple args) throws CheckpointException {
    if (callable == Function.ORDERED_DICT && args.size() == 0) {
      return new LinkedHashMap<>();
    }
    if (callable == Function.REBUILD_TENSOR_V2 && (args.size() == 6 || args.size() == 7)) {
      return rebuildTensor(args);
    }
    if (callable == Function.REBUILD_PARAMETER && args.size() == 3 && args.get(0) instanceof TensorRef tensor) {
      return tensor;
    }
    throw new CheckpointException(file, "pickle calls " + name(callable) + " with " + args.size()
        + " arguments; only OrderedDict(), _rebuild_tensor_v2(6 or 7 args) and _rebuild_parameter(tensor, ...) are allowed");
  }

  /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private TensorRef rebuildTensor(Tuple args) throws CheckpointException {
    if (!(args.get(0) instanceof StorageRef storage)) {
      throw new CheckpointException(file, "_rebuild_tensor_v2 storage argument is " + PickleMachine.describe(args.get(0)));
    }
    long offset = nonNegative(args.get(1), "storage offset");
    long[] size = longs(args.get(2), "size");
    long[] stride = longs(args.get(3), "stride");
    if (size.length != stride.length) {
      throw new CheckpointException(file, "_rebuild_tensor_v2 size has " + size.length + " dims but stride has " + stride.length);
    }
    return new TensorRef(storage, offset, size, stride);
  }

  @Override
  public Object persistentLoad(Object pid) throws CheckpointException {
    // torch.save writes ('storage', storage type, key, location, numel)
    if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key)) {
      throw new CheckpointException(file, "persistent id " + PickleMachine.describe(pid)
          + " is not ('storage', torch.XStorage, key, location, numel)");
    }
    if (!STORAGE_KEY.matcher(key).matches()) {
      throw new CheckpointException(file, "storage key '" + key + "' is not a plain name (letters, digits, _)");
    }
    StorageRef storage = new StorageRef(key, type.dtype(), nonNegative(t.get(4), "storage " + key + " numel"));
    StorageRef earlier = storages.putIfAbsent(key, storage);
    if (earlier != null && !earlier.equals(storage)) {
      throw new CheckpointException(file, "storage '" + key + "' is declared twice with different types or sizes");
    }
    return storage;
  }

  @Override
  public void build(Object target, Object state) throws CheckpointException {
    // An OrderedDict state dict carries its module versions as instance state (_metadata); not needed.
    boolean dictState = state instanceof Map<?, ?>
        || (state instanceof Tuple t && t.size() == 2 && isDictOrNone(t.get(0)) && isDictOrNone(t.get(1)));
    if (!(target instanceof Map<?, ?>) || !dictState) {
      throw new CheckpointException(file, "pickle sets state " + PickleMachine.describe(state) + " on "
          + PickleMachine.describe(target) + "; only dict state on an OrderedDict is allowed");
    }
  }

  private static boolean isDictOrNone(Object value) {
    return value instanceof Map<?, ?> || value == PickleMachine.NONE;
  }

  private long nonNegative(Object value, String what) throws CheckpointException {
    if (!(value instanceof Long n) || n < 0) {
      throw new CheckpointException(file, what + " is " + PickleMachine.describe(value) + ", not a non-negative int");
    }
    return n;
  }

  private long[] longs(Object value, String what) throws CheckpointException {
    if (!(value instanceof Tuple t)) {
      throw new CheckpointException(file, "tensor " + what + " is " + PickleMachine.describe(value) + ", not a tuple");
    }
    List<Object> items = t.items();
    long[] out = new long[items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = nonNegative(items.get(i), "tensor " + what + " element " + i);
    }
    return out;
  }

  private static String name(Object callable) {
    if (callable instanceof Function f) {
      return f.pythonName;
    }
    if (callable instanceof StorageType type) {
      return "torch." + type.name();
    }
    return PickleMachine.describe(callable);
  }
}
