package dev.jbert.core;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.nn.TrainingMode;

/**
 * What every BERT model shares, as Hugging Face's {@code BertPreTrainedModel} (<a
 * href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L707">modeling_bert.py#L707</a>)
 * and {@code nn.Module} give it: the config, train and eval mode with the dropout switch and seed
 * that every module of the model reads, and the report of what {@code fromPretrained} loaded.
 */
public abstract sealed class BertPreTrainedModel implements AutoCloseable
    permits BertModel, BertForSequenceClassification {

  /** Default seed of dropout masks and of freshly initialised weights. */
  public static final long DEFAULT_SEED = 42;

  static {
    // Before any model's first ND4J use (its modules ask ND4J for the BLAS library, its parameters are
    // ND4J memory): OpenBLAS reads its thread and kernel settings once, when it loads. A model is often
    // an application's first call, so building or loading one must not load ND4J ahead of its settings.
    Backend.init();
  }

  final BertConfig config;
  /** Read by every module of the model (a task model's encoder shares its task model's). */
  final TrainingMode mode;
  /** Null for a model built from a config. */
  LoadReport loadReport;

  BertPreTrainedModel(BertConfig config, TrainingMode mode) {
    this.config = config;
    this.mode = mode;
  }

  public BertConfig config() {
    return config;
  }

  /** What {@code fromPretrained} loaded, or null for a model built from a config. */
  public LoadReport loadReport() {
    return loadReport;
  }

  /** Training mode: dropout acts (unless switched off). */
  public void train() {
    mode.setTraining(true);
  }

  /** Eval mode: every dropout is the identity. */
  public void eval() {
    mode.setTraining(false);
  }

  public boolean isTraining() {
    return mode.isTraining();
  }

  /** Switches every dropout of the model off or on, in training mode too. */
  public void setDropoutEnabled(boolean enabled) {
    mode.setDropoutEnabled(enabled);
  }

  /** Restarts the random stream of the dropout masks. */
  public void setSeed(long seed) {
    mode.reseed(seed);
  }

  /**
   * Whether forward passes keep what a backward pass needs (default true), as {@code
   * torch.set_grad_enabled}; see {@link BertModel#setGradEnabled}.
   */
  public abstract void setGradEnabled(boolean enabled);

  /** See {@link #setGradEnabled}. */
  public abstract boolean isGradEnabled();

  /** Gives a replica of this model its mode, gradient switch and load report. */
  void copyStateTo(BertPreTrainedModel replica) {
    replica.mode.setTraining(mode.isTraining());
    replica.mode.setDropoutEnabled(mode.isDropoutEnabled());
    replica.setGradEnabled(isGradEnabled());
    replica.loadReport = loadReport;
  }

  /** Frees every activation buffer. */
  @Override
  public abstract void close();
}
