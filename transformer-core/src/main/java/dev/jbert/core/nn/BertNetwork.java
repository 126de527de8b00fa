package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.Attention;
import dev.jbert.core.kernel.MklPackedWeight;
import dev.jbert.core.kernel.PackedWeight;
import dev.jbert.core.param.ParameterScope;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The module tree of Hugging Face's {@code BertModel}: {@link BertEmbeddings}, the encoder's
 * {@link BertLayer}s ({@code encoder.layer.i}) and an optional {@link BertPooler}. Mirrors
 * <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L841">modeling_bert.py#L841</a>. The modules declare the parameters; the activations of one input shape are an
 * {@link Activations} object, allocated from {@link Buffers} and freed with them.
 *
 * <p>Activations allocated without gradients keep nothing for a backward pass: all encoder layers
 * take the same buffers from one pool (layer i reads only layer i − 1's output, and overwrites it
 * only with its own), so one layer's buffers serve any depth. Activations for the pooled output
 * only compute the last layer for first tokens alone (see {@link BertLayer}): no last hidden state.
 */
public final class BertNetwork {

  private final BertEmbeddings embeddings;
  private final List<BertLayer> layers = new ArrayList<>();
  private final BertPooler pooler;             // null without a pooling layer

  /** Declares the parameters of the embeddings, encoder and (if {@code withPooler}) pooler in {@code s}. */
  public BertNetwork(ParameterScope s, BertConfig c, boolean withPooler, TrainingMode mode) {
    if (!MklPackedWeight.preferred()) {
      PackedWeight.warmUpInBackground();        // compiles the batch-1 GEMM while the weights load
    }
    this.embeddings = new BertEmbeddings(s.pp("embeddings"), c, mode);
    ParameterScope encoder = s.pp("encoder").pp("layer");
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      layers.add(new BertLayer(encoder.pp(i), c, mode));
    }
    this.pooler = withPooler ? new BertPooler(s.pp("pooler"), c) : null;
  }

  /** The activations of every module for one input shape (batch, seq), and their buffers. */
  public static final class Activations implements AutoCloseable {
    private final Buffers buffers;
    private final int batch;
    private final int seq;
    private final boolean withGradients;
    private final boolean pooledOnly;
    private final BertEmbeddings.Activations embeddings;
    private final List<BertLayer.Activations> layers = new ArrayList<>();
    private final BertPooler.Activations pooler;      // null without a pooler
    private final double[] maskAdd;                   // [batch·seq]
    private final List<INDArray> hiddenStates = new ArrayList<>();
    private INDArray pooled;

    private Activations(BertNetwork n, Buffers buffers, int batch, int seq, boolean withGradients,
        boolean pooledOnly) {
      this.buffers = buffers;
      this.batch = batch;
      this.seq = seq;
      this.withGradients = withGradients;
      this.pooledOnly = pooledOnly;
      // Without gradients the embeddings and the pooler are forward-only too (no x̂ saved, the packed
      // product at batch 1), each over a pool of its own so that no array of theirs is a layer's.
      this.embeddings = n.embeddings.allocate(ownPool(buffers, withGradients), batch, seq);
      // With gradients, layer i's backward output is consumed by layer i-1 before layer i-2 runs:
      // two pools of backward scratch suffice, and one of forward scratch. Without, every layer
      // takes the same buffers: a layer's output then lands in its input's buffer, written last
      // (by BertOutput's LayerNorm) when nothing reads the input any more.
      Buffers.Pool[] pools = {new Buffers.Pool(), new Buffers.Pool()};
      Buffers.Pool forwardScratch = new Buffers.Pool();
      // A last layer of first tokens requests other shapes than the others: buffers of its own.
      for (int i = 0; i < n.layers.size(); i++) {
        boolean firstTokenOnly = pooledOnly && i == n.layers.size() - 1;
        Buffers layerBuffers = firstTokenOnly ? ownPool(buffers, withGradients)
            : withGradients ? buffers.sharingGradients(pools[i % 2], forwardScratch)
            : buffers.sharingActivations(pools[0]);
        layers.add(n.layers.get(i).allocate(layerBuffers, batch, seq, firstTokenOnly));
      }
      this.pooler = n.pooler == null ? null                             // pooledOnly: reads the first tokens
          : n.pooler.allocate(ownPool(buffers, withGradients), batch, pooledOnly ? 1 : seq);
      this.maskAdd = new double[batch * seq];
    }

    /** {@code buffers} with gradients, else forward-only buffers over a pool of their own. */
    private static Buffers ownPool(Buffers buffers, boolean withGradients) {
      return withGradients ? buffers : buffers.sharingActivations(new Buffers.Pool());
    }

    /** The embedding output and each layer's output of the last forward, each [batch·seq, hidden]. */
    public List<INDArray> hiddenStates() {
      if (!withGradients) {
        throw new IllegalStateException("these activations were allocated without gradients: layers share buffers, "
            + "so earlier layers' outputs are overwritten");
      }
      return List.copyOf(hiddenStates);
    }

    /** The pooled output [batch, hidden] of the last forward, or null without a pooler. */
    public INDArray pooled() {
      return pooled;
    }

    /** Whether these activations keep what a backward pass and {@link #hiddenStates} need. */
    public boolean withGradients() {
      return withGradients;
    }

    /** Whether the last layer computes first tokens only (no last hidden state). */
    public boolean pooledOnly() {
      return pooledOnly;
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

  /**
   * The activations of one input shape, from {@code buffers}.
   *
   * @param withGradients whether backward passes and hidden states are needed; without, encoder
   *     layers share one layer's worth of buffers
   * @param pooledOnly whether only the pooled output is read: the last layer then computes each
   *     sequence's first token only; needs a pooler
   */
  public Activations allocate(Buffers buffers, int batch, int seq, boolean withGradients, boolean pooledOnly) {
    if (pooledOnly && pooler == null) {
      throw new IllegalArgumentException("the pooled output only, but this network has no pooler");
    }
    return new Activations(this, buffers, batch, seq, withGradients, pooledOnly);
  }

  /**
   * Runs the encoder; returns the last hidden state [batch·seq, hidden], or with activations
   * allocated {@code pooledOnly} the last layer's first tokens [batch, hidden]. Ids must already be
   * validated against the vocabulary sizes.
   */
  public INDArray forward(Activations a, int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {
    for (int i = 0; i < a.maskAdd.length; i++) {
      a.maskAdd[i] = (1 - attentionMask[i]) * Attention.MASK_VALUE;
    }
    a.hiddenStates.clear();
    INDArray x = embeddings.forward(a.embeddings, inputIds, tokenTypeIds);
    a.hiddenStates.add(x);
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).forward(a.layers.get(i), x, a.maskAdd);
      a.hiddenStates.add(x);            // read only with gradients: without, later layers overwrite them
    }
    a.pooled = pooler == null ? null : pooler.forward(a.pooler, x);
    return x;
  }

  /**
   * Back-propagates from the outputs of the last forward and accumulates every parameter gradient.
   *
   * @param dLastHidden [batch·seq, hidden] or null (no gradient from the last hidden state)
   * @param dPooled [batch, hidden] or null (no gradient from the pooled output)
   */
  public void backward(Activations a, INDArray dLastHidden, INDArray dPooled) {
    if (!a.withGradients) {
      throw new IllegalStateException("these activations were allocated without gradients: they keep nothing for a backward pass");
    }
    if (a.pooledOnly && dLastHidden != null) {
      throw new IllegalArgumentException("activations allocated for the pooled output only have no last hidden state");
    }
    if (dLastHidden == null && dPooled == null) {
      throw new IllegalArgumentException("backward needs a gradient for the last hidden state or the pooled output");
    }
    INDArray d;
    if (dPooled != null) {
      if (pooler == null) {
        throw new IllegalStateException("this model has no pooler, so the pooled output has no gradient");
      }
      d = pooler.backward(a.pooler, dPooled, dLastHidden);
    } else {
      d = dLastHidden;
    }
    for (int i = layers.size() - 1; i >= 0; i--) {
      d = layers.get(i).backward(a.layers.get(i), d);
    }
    embeddings.backward(a.embeddings, d);
  }
}
