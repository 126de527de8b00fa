package dev.jbert.spark;

import java.util.Locale;

/**
 * How the tasks running at the same time in one executor JVM share a model folder's weights.
 *
 * <p>The two fight for the same cores differently: a model's forward pass runs on jbert's own threads
 * ({@code JBERT_THREADS}, read once per JVM), while Spark runs one task per slot
 * ({@code spark.executor.cores}, or N in {@code local[N]}).
 *
 * <ul>
 *   <li>{@link #PER_TASK}: each running task borrows its own copy (loaded when first needed, then
 *       reused by later tasks), so the slots run forward passes side by side. Pair it with
 *       {@code JBERT_THREADS=1} on the executors ({@code spark.executorEnv.JBERT_THREADS=1}), or each
 *       copy splits its kernels over more threads than the slot owns;
 *   <li>{@link #PER_EXECUTOR}: one copy per executor; tasks take turns for each batch, and the
 *       forward pass uses {@code JBERT_THREADS} threads (set it to the executor's cores). One copy of
 *       the weights in memory, but a slot waits while another's batch runs.
 * </ul>
 */
public enum ModelSharing {
  /** One model copy per concurrently running task. */
  PER_TASK("per-task"),
  /** One model copy per executor JVM, used by one task at a time. */
  PER_EXECUTOR("per-executor");

  /** What the transformers use unless told otherwise. */
  public static final ModelSharing DEFAULT = PER_TASK;

  private final String id;

  ModelSharing(String id) {
    this.id = id;
  }

  /** The name the {@code modelSharing} param takes: {@code per-task} or {@code per-executor}. */
  public String id() {
    return id;
  }

  /** The sharing named {@code id} (any case); the error lists the names. */
  public static ModelSharing of(String id) {
    for (ModelSharing s : values()) {
      if (s.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown model sharing '" + id + "'; use per-task or per-executor");
  }

  /** Copies of one model an executor keeps at most. */
  int maxCopies() {
    return this == PER_TASK ? Integer.MAX_VALUE : 1;
  }
}
