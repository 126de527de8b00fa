package dev.jbert.serve;

/**
 * Called by the thread that computes a batch (a batcher thread, or the one that received a request
 * that found the model idle) just before it computes it. Tests use it to hold batches back
 * (to fill the queue, or let a timeout pass); the service itself passes {@link #NONE}.
 */
interface BatchHook {

  /** Does nothing. */
  BatchHook NONE = (model, inputs) -> {};

  /**
   * @param model the model's name
   * @param inputs the inputs in the batch
   */
  void beforeBatch(String model, int inputs) throws InterruptedException;
}
