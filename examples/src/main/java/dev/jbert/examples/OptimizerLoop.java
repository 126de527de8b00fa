package dev.jbert.examples;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.config.BertConfig;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.GradientAccumulation;
import dev.jbert.optim.LrSchedule;
import dev.jbert.optim.NameFilter;
import dev.jbert.optim.OptimizerConfig;
import dev.jbert.optim.OptimizerStateFile;
import dev.jbert.tokenizer.BertTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An optimizer set up as fine-tuning usually wants it (weight decay with Hugging Face's exemptions,
 * clipping, warm-up, the embeddings and lower layers frozen, layer-wise lr decay) and stepped every
 * second micro-batch, then its state saved for a resume. The marked region is optim's README
 * snippet (a test keeps the two the same).
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.OptimizerLoop
 * </pre>
 *
 * Arguments: the model folder (default all-MiniLM-L6-v2 in ../shared) and the folder for the
 * optimizer state (default runs/optimizer-loop).
 */
public final class OptimizerLoop {

  private OptimizerLoop() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/models/all-MiniLM-L6-v2");
    Path checkpointDir = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "runs/optimizer-loop"));
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    List<List<String>> texts = List.of(List.of("I want a person", "card not here"), List.of("refund", "human please"),
        List.of("where is my card", "agent"), List.of("top up failed", "talk to someone"), List.of("fees?", "a human"));
    List<TokenBatch> batches = texts.stream().map(t -> TokenBatches.of(tokenizer, t)).toList();
    int[] labels = {1, 0};
    BertConfig labelled = BertConfig.load(dir.resolve("config.json")).withLabels(List.of("answer", "hand_off"));
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, labelled)) {
      model.train();
      // README:begin optimizer-loop
      OptimizerConfig config = OptimizerConfig.builder()
          .lr(2e-5).weightDecay(0.01)                        // bias/LayerNorm exempt (HF Trainer rule)
          .maxGradNorm(1.0)
          .schedule(LrSchedule.linearWithWarmup(100, 1000))  // step t runs at lr * factor(t - 1)
          .freeze(NameFilter.embeddingsAndLowerLayers(4))     // or prefixes(...), regex(...)
          .layerwiseLrDecay(0.9)                              // 1 = off
          .build();
      AdamW opt = new AdamW(model.parameters(), config);
      var acc = new GradientAccumulation(opt, 2);            // zeroes grads
      for (TokenBatch b : batches) {
        model.forward(b);
        model.loss(labels);
        model.backward();                                    // grads += d(loss of b)
        acc.microBatchDone().ifPresent(r ->                  // every 2nd: grads /= 2, clip, step, zero
            System.out.printf("step %d lr %.3g grad norm %.4f%n", r.step(), r.lr(), r.gradNorm()));
      }
      acc.flush();                                           // the last, shorter window
      opt.save(checkpointDir.resolve(OptimizerStateFile.FILE_NAME));
      // later: new AdamW(model.parameters(), config).restore(...): the next steps are bit-identical
      // README:end
    }
  }
}
