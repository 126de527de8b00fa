package dev.jbert.serve;

/**
 * Called by a batcher thread just before it computes a batch. Tests use it to hold batches back
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
