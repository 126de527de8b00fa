package dev.jbert.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler: runs only the opcodes that {@code torch.save} state dicts use (protocol 2,
 * plus the few protocol-4 framing opcodes) and executes nothing. Globals, calls ({@code REDUCE}),
 * persistent ids and {@code BUILD} are all delegated to an {@link Environment}, which decides what
 * is allowed. Any other opcode is an error naming it and its byte position.
 *
 * <p>Python values become: {@code str} → String, {@code int} → Long, {@code float} → Double,
 * {@code bool} → Boolean, {@code None} → {@link #NONE}, tuple → {@link Tuple}, list → ArrayList,
 * dict → LinkedHashMap.
 */
final class PickleMachine {

  /** What a pickle may refer to outside itself. Every method may refuse with an exception. */
  interface Environment {
    /** The object for {@code GLOBAL module name}; refuses anything not explicitly allowed. */
    Object global(String module, String name) throws CheckpointException;

    /** {@code REDUCE}: calls {@code callable} (a value {@link #global} returned) with {@code args}. */
    Object call(Object callable, Tuple args) throws CheckpointException;

    /** {@code BINPERSID}: the object a persistent id stands for. */
    Object persistentLoad(Object pid) throws CheckpointException;

    /** {@code BUILD}: sets {@code state} on {@code target}. */
    void build(Object target, Object state) throws CheckpointException;
  }

  /** An immutable Python tuple. */
  record Tuple(List<Object> items) {
    Tuple {
      items = List.copyOf(items);
    }

    int size() {
      return items.size();
    }

    Object get(int i) {
      return items.get(i);
    }
  }

  /** Python's {@code None}. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /**
   * A state dict needs about 35 opcodes per tensor; this allows some 60 000 tensors while bounding
   * what a hostile pickle can make us allocate (every opcode creates at most one small object).
   */
  static final int MAX_OPCODES = 2_000_000;

  /** Dict keys may nest tuples only this deep (a guard for the hashability check). */
  private static final int MAX_KEY_DEPTH = 64;

  private final ByteBuffer in;
  private final Path file;
  private final String entry;
  private final Environment environment;
  private final List<Object> stack = new ArrayList<>();
  private final Deque<Integer> marks = new ArrayDeque<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private PickleMachine(byte[] pickle, Path file, String entry, Environment environment) {
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.file = file;
    this.entry = entry;
    this.environment = environment;
  }

  /**
   * Unpickles {@code pickle} (entry {@code entry} of {@code file}, for messages) and returns the
   * object on the stack at {@code STOP}.
   */
  static Object load(byte[] pickle, Path file, String entry, Environment environment) throws CheckpointException {
    return new PickleMachine(pickle, file, entry, environment).run();
  }

  private Object run() throws CheckpointException {
    for (int executed = 0; ; executed++) {
      int at = in.position();
      if (executed == MAX_OPCODES) {
        throw error(at, "more than " + MAX_OPCODES + " opcodes, far more than a state dict needs");
      }
      int opcode = u8();
      switch (opcode) {
        case 0x80 -> u8(); // PROTO n
        case 0x95 -> need(8).getLong(); // FRAME length: framing only
        case '.' -> { // STOP
          return pop(at);
        }
        case '(' -> marks.push(stack.size()); // MARK
        case '0' -> pop(at); // POP
        case '1' -> popMark(at); // POP_MARK
        case 'N' -> push(NONE);
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) (need(2).getShort() & 0xffff)); // BININT2
        case 'J' -> push((long) need(4).getInt()); // BININT
        case 0x8a -> push(long1(at)); // LONG1
        case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(need(8).getLong()))); // BINFLOAT, big-endian
        case 'X' -> push(utf8(need(4).getInt() & 0xffffffffL, at)); // BINUNICODE
        case 0x8c -> push(utf8(u8(), at)); // SHORT_BINUNICODE
        case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
        case 0x85 -> push(new Tuple(popN(1, at))); // TUPLE1
        case 0x86 -> push(new Tuple(popN(2, at))); // TUPLE2
        case 0x87 -> push(new Tuple(popN(3, at))); // TUPLE3
        case 't' -> push(new Tuple(popMark(at))); // TUPLE
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case 'a' -> { // APPEND
          Object item = pop(at);
          list(peek(at), at).add(item);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark(at);
          list(peek(at), at).addAll(items);
        }
        case 's' -> { // SETITEM
          Object value = pop(at);
          Object key = pop(at);
          put(dict(peek(at), at), key, value, at);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark(at);
          if (items.size() % 2 != 0) {
            throw error(at, "SETITEMS with an odd number of items");
          }
          Map<Object, Object> dict = dict(peek(at), at);
          for (int i = 0; i < items.size(); i += 2) {
            put(dict, items.get(i), items.get(i + 1), at);
          }
        }
        case 'q' -> memo.put((long) u8(), peek(at)); // BINPUT
        case 'r' -> memo.put(need(4).getInt() & 0xffffffffL, peek(at)); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
        case 'h' -> push(memoGet(u8(), at)); // BINGET
        case 'j' -> push(memoGet(need(4).getInt() & 0xffffffffL, at)); // LONG_BINGET
        case 'c' -> push(environment.global(line(at), line(at))); // GLOBAL module\nname\n
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop(at);
          Object module = pop(at);
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw error(at, "STACK_GLOBAL needs two strings");
          }
          push(environment.global(m, n));
        }
        case 'Q' -> push(environment.persistentLoad(pop(at))); // BINPERSID
        case 'R' -> { // REDUCE
          Object args = pop(at);
          Object callable = pop(at);
          if (!(args instanceof Tuple tuple)) {
            throw error(at, "REDUCE arguments are " + describe(args) + ", not a tuple");
          }
          push(environment.call(callable, tuple));
        }
        case 'b' -> { // BUILD
          Object state = pop(at);
          environment.build(peek(at), state);
        }
        default -> throw error(at, String.format("unsupported pickle opcode 0x%02x%s; only the opcodes of "
            + "torch.save state dicts are allowed", opcode, printable(opcode)));
      }
    }
  }

  /** A short description of a value for messages (never prints containers, which may be cyclic). */
  static String describe(Object value) {
    if (value instanceof String s) {
      return "str '" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
    if (value instanceof Long || value instanceof Double || value instanceof Boolean || value == NONE) {
      return String.valueOf(value);
    }
    if (value instanceof Tuple t) {
      return "a tuple of " + t.size();
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    if (value instanceof Map<?, ?>) {
      return "a dict";
    }
    return value == null ? "nothing" : "a " + value.getClass().getSimpleName();
  }

  private void push(Object value) {
    stack.add(value);
  }

  private Object pop(int at) throws CheckpointException {
    Object top = peek(at);
    stack.remove(stack.size() - 1);
    return top;
  }

  /** The top of the stack; like Python, never reaches below the innermost MARK. */
  private Object peek(int at) throws CheckpointException {
    if (stack.isEmpty() || (!marks.isEmpty() && marks.peek() == stack.size())) {
      throw error(at, "stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n, int at) throws CheckpointException {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop(at);
    }
    return List.of(items);
  }

  /** Pops everything above the topmost mark, and the mark. */
  private List<Object> popMark(int at) throws CheckpointException {
    if (marks.isEmpty()) {
      throw error(at, "no MARK to pop to");
    }
    int mark = marks.pop();
    List<Object> top = stack.subList(mark, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private Object memoGet(long key, int at) throws CheckpointException {
    Object value = memo.get(key);
    if (value == null) {
      throw error(at, "memo key " + key + " was never stored");
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object target, int at) throws CheckpointException {
    if (!(target instanceof ArrayList<?>)) {
      throw error(at, "APPEND(S) on " + describe(target) + ", not a list");
    }
    return (List<Object>) target;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object target, int at) throws CheckpointException {
    if (!(target instanceof Map<?, ?>)) {
      throw error(at, "SETITEM(S) on " + describe(target) + ", not a dict");
    }
    return (Map<Object, Object>) target;
  }

  /** Python refuses unhashable keys; refusing them here also keeps cyclic lists out of hashCode. */
  private void put(Map<Object, Object> dict, Object key, Object value, int at) throws CheckpointException {
    if (!hashable(key, 0)) {
      throw error(at, "dict key " + describe(key) + " is not hashable");
    }
    dict.put(key, value);
  }

  private static boolean hashable(Object key, int depth) {
    if (key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean || key == NONE) {
      return true;
    }
    if (key instanceof Tuple t && depth < MAX_KEY_DEPTH) {
      for (Object item : t.items()) {
        if (!hashable(item, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private long long1(int at) throws CheckpointException {
    int n = u8();
    if (n > 8) {
      throw error(at, "LONG1 of " + n + " bytes does not fit in 64 bits");
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      value |= (long) u8() << (8 * i);
    }
    if (n > 0 && n < 8 && (value & (1L << (8 * n - 1))) != 0) {
      value |= -1L << (8 * n); // two's complement sign extension
    }
    return value;
  }

  /** A newline-terminated ASCII line (a GLOBAL's module or name), at most 256 bytes. */
  private String line(int at) throws CheckpointException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = u8();
      if (b == '\n') {
        return sb.toString();
      }
      if (b < 0x20 || b > 0x7e || sb.length() >= 256) {
        throw error(at, "GLOBAL name is not a short printable ASCII line");
      }
      sb.append((char) b);
    }
  }

  private String utf8(long length, int at) throws CheckpointException {
    if (length > in.remaining()) {
      throw error(at, "string of " + length + " bytes runs past the end of the pickle");
    }
    ByteBuffer bytes = in.slice().limit((int) length);
    in.position(in.position() + (int) length);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw error(at, "string is not valid UTF-8");
    }
  }

  private int u8() throws CheckpointException {
    return need(1).get() & 0xff;
  }

  /** Checks that {@code n} more bytes exist; returns the buffer positioned at them. */
  private ByteBuffer need(int n) throws CheckpointException {
    if (in.remaining() < n) {
      throw error(in.position(), "pickle ends early (truncated, or STOP missing)");
    }
    return in;
  }

  private CheckpointException error(int at, String problem) {
    return new CheckpointException(file, entry + " byte " + at + ": " + problem);
  }

  private static String printable(int opcode) {
    return opcode >= 0x20 && opcode < 0x7f ? " ('" + (char) opcode + "')" : "";
  }
}
