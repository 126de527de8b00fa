package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** BERT's pooler: the first token's hidden state → dense → tanh. */
public final class Pooler {

  private final Linear dense;
  private final Buffers buffers;
  private final int batch;
  private final int seq;
  private final int hidden;
  private final boolean exact;
  private final INDArray cls;       // [batch, hidden] hidden state of each sequence's first token
  private final INDArray pooled;    // [batch, hidden]
  private INDArray dPre;            // [batch, hidden] gradient before the tanh
  private INDArray dHidden;         // [batch·seq, hidden], zero except the first-token rows

  /** @param prefix e.g. {@code "bert.pooler."} */
  public Pooler(Parameters p, String prefix, Buffers buffers, int batch, int seq) {
    this.dense = Linear.of(p, prefix + "dense", buffers, batch);
    this.buffers = buffers;
    this.batch = batch;
    this.seq = seq;
    this.hidden = (int) p.shape(prefix + "dense.weight")[0];
    this.exact = buffers.dataType() == DataType.DOUBLE;
    this.cls = buffers.zeros(batch, hidden);
    this.pooled = buffers.zeros(batch, hidden);
  }

  /** hidden [batch·seq, hidden] → pooled [batch, hidden] = tanh(hidden[:, 0] Wᵀ + b). */
  public INDArray forward(INDArray hiddenStates) {
    cls.assign(firstTokens(hiddenStates));
    INDArray z = dense.forward(cls);
    double[] t = Flat.of(z).toArray();
    Functions.tanh(t, 0, t.length, exact);
    Flat.of(pooled).put(0, t, 0, t.length);
    return pooled;
  }

  /** dPooled [batch, hidden] → d hidden [batch·seq, hidden] (non-zero on first-token rows only). */
  public INDArray backward(INDArray dPooled) {
    if (dHidden == null) {
      dPre = buffers.zeros(batch, hidden);
      dHidden = buffers.zeros((long) batch * seq, hidden);
    }
    double[] y = Flat.of(pooled).toArray();
    double[] d = Flat.of(dPooled).toArray();
    for (int i = 0; i < d.length; i++) {
      d[i] *= 1.0 - y[i] * y[i];                            // tanh' = 1 − tanh²
    }
    Flat.of(dPre).put(0, d, 0, d.length);
    INDArray dCls = dense.backward(dPre);
    firstTokens(dHidden).assign(dCls);
    return dHidden;
  }

  private INDArray firstTokens(INDArray h) {
    return h.reshape(batch, seq, hidden).get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
  }
}
