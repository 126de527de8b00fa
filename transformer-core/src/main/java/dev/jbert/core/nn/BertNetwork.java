package dev.jbert.core.nn;

import dev.jbert.core.BertConfig;
import dev.jbert.core.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The layers of a {@code BertModel} instantiated for one input shape (batch, seq), with their
 * activation buffers: embeddings → LayerNorm → dropout → encoder layers → optional pooler.
 * Parameters are shared views into the model's {@link Parameters}; the model keeps the network of
 * the current shape only and builds another when the shape changes ({@link #close()} frees what
 * did not come from the model's arena).
 *
 * <p>A network built without gradients keeps no activations for a backward pass: encoder layers
 * take their buffers from two pools, even layers from one and odd layers from the other (layer i
 * reads only layer i − 1's output), so the buffers of two layers serve any depth.
 */
public final class BertNetwork implements AutoCloseable {

  private final int batch;
  private final int seq;
  private final Buffers buffers;
  private final Embeddings embeddings;
  private final LayerNorm embeddingNorm;
  private final Dropout embeddingDropout;
  private final List<BertLayer> layers = new ArrayList<>();
  private final Pooler pooler;                 // null without a pooling layer
  private final boolean withGradients;         // false: layers share buffers; no backward, no hidden states
  private final double[] maskAdd;              // [batch·seq]
  private final List<INDArray> hiddenStates = new ArrayList<>();
  private INDArray pooled;

  /**
   * @param prefix parameter name prefix: {@code ""} for a bare BertModel, {@code "bert."} in a task model
   * @param withPooler whether the parameters include {@code pooler.dense} and the pooler runs
   * @param withGradients whether {@link #backward} and {@link #hiddenStates} are needed; without,
   *     encoder layers share two layers' worth of buffers
   */
  public BertNetwork(BertConfig c, Parameters p, String prefix, boolean withPooler, boolean withGradients,
      TrainingMode mode, Buffers buffers, int batch, int seq) {
    this.batch = batch;
    this.seq = seq;
    this.buffers = buffers;
    this.withGradients = withGradients;
    int rows = batch * seq;
    this.embeddings = new Embeddings(p, prefix + "embeddings.", c.padTokenId(), buffers, batch, seq);
    this.embeddingNorm = LayerNorm.of(p, prefix + "embeddings.LayerNorm", c.layerNormEps(), buffers, rows);
    this.embeddingDropout = new Dropout(c.hiddenDropoutProb(), mode, buffers, rows, c.hiddenSize());
    // Layer i's backward output is consumed by layer i-1 before layer i-2 runs (and without
    // gradients, layer i's output by layer i+1 before layer i+2 runs): two pools suffice.
    Buffers.GradientPool[] pools = {new Buffers.GradientPool(), new Buffers.GradientPool()};
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      Buffers layerBuffers = withGradients ? buffers.sharingGradients(pools[i % 2])
          : buffers.sharingActivations(pools[i % 2]);
      layers.add(new BertLayer(c, p, prefix + "encoder.layer." + i + ".", mode, layerBuffers, batch, seq));
    }
    this.pooler = withPooler ? new Pooler(p, prefix + "pooler.", buffers, batch, seq) : null;
    this.maskAdd = new double[rows];
  }

  /**
   * Runs the encoder; returns the last hidden state [batch·seq, hidden]. Ids must already be
   * validated against the vocabulary sizes.
   */
  public INDArray forward(int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {
    for (int i = 0; i < maskAdd.length; i++) {
      maskAdd[i] = (1 - attentionMask[i]) * SelfAttention.MASK_VALUE;
    }
    hiddenStates.clear();
    INDArray x = embeddingDropout.forward(embeddingNorm.forward(embeddings.forward(inputIds, tokenTypeIds)));
    hiddenStates.add(x);
    for (BertLayer layer : layers) {
      x = layer.forward(x, maskAdd);
      hiddenStates.add(x);            // read only with gradients: without, later layers overwrite them
    }
    pooled = pooler == null ? null : pooler.forward(x);
    return x;
  }

  /**
   * Back-propagates from the outputs of the last forward and accumulates every parameter gradient.
   *
   * @param dLastHidden [batch·seq, hidden] or null (no gradient from the last hidden state)
   * @param dPooled [batch, hidden] or null (no gradient from the pooled output)
   */
  public void backward(INDArray dLastHidden, INDArray dPooled) {
    if (!withGradients) {
      throw new IllegalStateException("this network was built without gradients: it keeps no activations for a backward pass");
    }
    if (dLastHidden == null && dPooled == null) {
      throw new IllegalArgumentException("backward needs a gradient for the last hidden state or the pooled output");
    }
    INDArray d;
    if (dPooled != null) {
      if (pooler == null) {
        throw new IllegalStateException("this model has no pooler, so the pooled output has no gradient");
      }
      d = pooler.backward(dPooled);
      if (dLastHidden != null) {
        d.addi(dLastHidden);
      }
    } else {
      d = dLastHidden;
    }
    for (int i = layers.size() - 1; i >= 0; i--) {
      d = layers.get(i).backward(d);
    }
    embeddings.backward(embeddingNorm.backward(embeddingDropout.backward(d)));
  }

  /** The embedding output and each layer's output of the last forward, each [batch·seq, hidden]. */
  public List<INDArray> hiddenStates() {
    if (!withGradients) {
      throw new IllegalStateException("this network was built without gradients: layers share buffers, "
          + "so earlier layers' outputs are overwritten");
    }
    return List.copyOf(hiddenStates);
  }

  /** Whether this network keeps what {@link #backward} and {@link #hiddenStates} need. */
  public boolean withGradients() {
    return withGradients;
  }

  /** The pooled output [batch, hidden] of the last forward, or null without a pooler. */
  public INDArray pooled() {
    return pooled;
  }

  public int batch() {
    return batch;
  }

  public int seq() {
    return seq;
  }

  /** Bytes of activation buffers held. */
  public long bufferBytes() {
    return buffers.bytes();
  }

  /** Frees every activation buffer of this shape. */
  @Override
  public void close() {
    buffers.close();
  }
}
