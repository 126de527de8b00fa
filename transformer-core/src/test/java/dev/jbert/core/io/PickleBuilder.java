package dev.jbert.core.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Emits pickle opcodes one by one, so tests can build both the state dicts {@code torch.save} writes
 * and hostile pickles. {@link #stateDict} reproduces torch's layout (checked against the shared
 * {@code pytorch_model.bin} with {@code pickletools}).
 */
final class PickleBuilder {

  /** One tensor of a state dict: a view (offset, size, stride) of storage {@code key}. */
  record Tensor(String name, String storageType, String key, long storageNumel, long offset, long[] size, long[] stride) {
    /** A contiguous tensor that fills its own storage. */
    static Tensor contiguous(String name, String storageType, String key, long... size) {
      long[] stride = new long[size.length];
      long s = 1;
      for (int d = size.length - 1; d >= 0; d--) {
        stride[d] = s;
        s *= size[d];
      }
      return new Tensor(name, storageType, key, s, 0, size, stride);
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleBuilder op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleBuilder raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  PickleBuilder proto() {
    return op(0x80).op(2);
  }

  PickleBuilder global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  PickleBuilder str(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    op('X').u32(utf8.length);
    return raw(utf8);
  }

  PickleBuilder u32(long v) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
    return this;
  }

  /** BININT1, BININT2, BININT or LONG1, as pickle picks them. */
  PickleBuilder integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K').op((int) v);
    }
    if (v >= 0 && v < 65536) {
      return op('M').op((int) v & 0xff).op((int) (v >>> 8));
    }
    if (v == (int) v) {
      return op('J').u32(v);
    }
    op(0x8a).op(8);
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
    return this;
  }

  PickleBuilder mark() {
    return op('(');
  }

  PickleBuilder tuple() {
    return op('t');
  }

  PickleBuilder emptyTuple() {
    return op(')');
  }

  PickleBuilder reduce() {
    return op('R');
  }

  PickleBuilder stop() {
    return op('.');
  }

  PickleBuilder ints(long... values) {
    mark();
    for (long v : values) {
      integer(v);
    }
    return tuple();
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The pickle {@code torch.save(OrderedDict(tensors))} writes, memo opcodes left out. */
  static byte[] stateDict(List<Tensor> tensors) {
    PickleBuilder p = new PickleBuilder().proto().global("collections", "OrderedDict").emptyTuple().reduce().mark();
    for (Tensor t : tensors) {
      p.str(t.name()).global("torch._utils", "_rebuild_tensor_v2").mark();
      p.mark().str("storage").global("torch", t.storageType()).str(t.key()).str("cpu").integer(t.storageNumel()).tuple()
          .op('Q'); // BINPERSID
      p.integer(t.offset()).ints(t.size()).ints(t.stride()).op(0x89) // NEWFALSE: requires_grad
          .global("collections", "OrderedDict").emptyTuple().reduce() // backward hooks
          .tuple().reduce();
    }
    return p.op('u').stop().bytes(); // SETITEMS
  }
}
