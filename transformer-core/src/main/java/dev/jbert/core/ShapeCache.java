package dev.jbert.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The few most recently used per-shape objects (networks with their activation buffers), keyed by
 * (batch, seq); the least recently used one is closed when a new shape would exceed the capacity.
 */
final class ShapeCache<V extends AutoCloseable> implements AutoCloseable {

  private final LinkedHashMap<Long, V> entries = new LinkedHashMap<>(8, 0.75f, true);
  private int capacity;

  ShapeCache(int capacity) {
    setCapacity(capacity);
  }

  void setCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("shape cache capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    evict(capacity);
  }

  /** The entry for this shape, created (after evicting the oldest if full) when absent. */
  V get(int batch, int seq, Supplier<V> create) {
    long key = ((long) batch << 32) | seq;
    V v = entries.get(key);
    if (v == null) {
      evict(capacity - 1);
      v = create.get();
      entries.put(key, v);
    }
    return v;
  }

  private void evict(int keep) {
    Iterator<Map.Entry<Long, V>> it = entries.entrySet().iterator();
    while (entries.size() > keep && it.hasNext()) {
      V old = it.next().getValue();
      it.remove();
      closeQuietly(old);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not release activation buffers", e);
    }
  }

  /** Closes every entry. */
  @Override
  public void close() {
    evict(0);
  }
}
