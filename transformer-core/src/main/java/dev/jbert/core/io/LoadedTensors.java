package dev.jbert.core.io;

import java.util.LinkedHashMap;
import java.util.Set;

/**
 * What one checkpoint file yielded: its floating-point tensors as float32, in file order, and the
 * names of the integer buffers it also holds but that were skipped (e.g. {@code position_ids}). The
 * sharded reader needs both to tell "skipped on purpose" from "missing".
 */
record LoadedTensors(LinkedHashMap<String, TensorData> tensors, Set<String> skipped) {

  /** Whether the file holds a tensor of this name, read or skipped. */
  boolean holds(String name) {
    return tensors.containsKey(name) || skipped.contains(name);
  }
}
