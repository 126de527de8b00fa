package dev.jbert.core.io;

import java.util.Optional;

/**
 * Element types of checkpoint storages: the safetensors dtype names, with their width and whether
 * they hold parameters (floating point) or integer buffers that readers skip.
 */
enum DType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U64(8, false),
  U32(4, false),
  U16(2, false),
  U8(1, false),
  BOOL(1, false);

  /** Bytes per element. */
  final int bytes;
  /** True for floating-point types, which are read as float32; integer buffers are skipped. */
  final boolean floating;

  DType(int bytes, boolean floating) {
    this.bytes = bytes;
    this.floating = floating;
  }

  /** The dtype of a safetensors {@code dtype} string, if it is one we know. */
  static Optional<DType> ofSafetensorsName(String name) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
