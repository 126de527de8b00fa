package dev.jbert.spark;

import dev.jbert.core.backend.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode), filled lazily by the
 * first task that needs one and kept for the life of the JVM, as Spark NLP and DJL keep theirs. Only
 * the folder's path and settings travel with a task; the weights are read here, once per copy.
 */
final class ExecutorModels {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

  /**
   * What identifies a set of interchangeable copies.
   *
   * @param kind {@code classifier} or {@code embedder}
   * @param folder the folder and the stamp of its files
   * @param settings load-time settings (a record with equals), e.g. the length limit
   * @param sharing how running tasks share the copies
   */
  record Key(String kind, ModelFolder folder, Object settings, ModelSharing sharing) {

    boolean sameModelAs(Key other) {
      return kind.equals(other.kind) && folder.dir().equals(other.folder.dir()) && settings.equals(other.settings)
          && sharing == other.sharing;
    }
  }

  private static final Map<Key, ModelPool<?>> POOLS = new ConcurrentHashMap<>();

  private static boolean warnedThreads; // guarded by POOLS

  private ExecutorModels() {}

  /**
   * The pool for {@code key}, created on first use; pools of the same folder with an older stamp
   * are retired (their copies closed once idle).
   */
  @SuppressWarnings("unchecked")
  static <M extends AutoCloseable> ModelPool<M> pool(Key key, ModelPool.Loader<M> loader) {
    ModelPool<?> existing = POOLS.get(key);
    if (existing != null) {
      return (ModelPool<M>) existing;
    }
    synchronized (POOLS) {
      existing = POOLS.get(key);
      if (existing != null) {
        return (ModelPool<M>) existing;
      }
      for (Map.Entry<Key, ModelPool<?>> e : POOLS.entrySet()) {
        if (e.getKey().sameModelAs(key)) {
          LOG.info("jbert: {} changed on disk; reloading it", key.folder().dir());
          POOLS.remove(e.getKey());
          try {
            e.getValue().retire();
          } catch (Exception closing) {
            LOG.warn("jbert: closing the old copies of {} failed", key.folder().dir(), closing);
          }
        }
      }
      List<ModelPool<M>> self = new ArrayList<>(1); // the pool, for its own loader
      ModelPool<M> pool = new ModelPool<>(() -> {
        long start = System.nanoTime();
        M model = loader.load();
        LOG.info("jbert: loaded {} {} on {} in {} ms", key.kind(), key.folder().dir(), ModelFolder.where(),
            (System.nanoTime() - start) / 1_000_000);
        if (self.get(0).copies() > 1) {
          warnIfOversubscribed();
        }
        return model;
      }, key.sharing().maxCopies());
      self.add(pool);
      POOLS.put(key, pool);
      return pool;
    }
  }

  /** A second copy loaded for tasks running side by side, each on more than one thread, oversubscribes the cores. */
  private static void warnIfOversubscribed() {
    synchronized (POOLS) {
      if (Backend.threads() > 1 && !warnedThreads) {
        warnedThreads = true;
        LOG.warn("jbert: tasks running side by side each use their own model copy (modelSharing per-task), and each copy"
            + " runs on JBERT_THREADS={} threads: more threads than cores. Set JBERT_THREADS=1 on the executors (--conf"
            + " spark.executorEnv.JBERT_THREADS=1), or use modelSharing per-executor.", Backend.threads());
      }
    }
  }

  /** Copies of {@code kind} loaded in this JVM from {@code dir} (absolute, normalised), over its current pools. */
  static int loads(String kind, Path dir) {
    return POOLS.entrySet().stream().filter(e -> e.getKey().kind().equals(kind) && e.getKey().folder().dir().equals(dir))
        .mapToInt(e -> e.getValue().loads()).sum();
  }
}
