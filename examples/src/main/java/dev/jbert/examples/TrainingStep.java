package dev.jbert.examples;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.config.BertConfig;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.OptimizerConfig;
import dev.jbert.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step written out on a Hugging Face checkpoint, without finetune-cs's trainer:
 * forward, loss, backward, AdamW, save. The marked region is transformer-core's README snippet (a
 * test keeps the two the same).
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.TrainingStep
 * </pre>
 *
 * Arguments: the model folder (default all-MiniLM-L6-v2 in ../shared) and the folder to save the
 * stepped model in (default runs/training-step).
 */
public final class TrainingStep {

  private TrainingStep() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/models/all-MiniLM-L6-v2");
    Path out = Path.of(args.length > 1 ? args[1] : "runs/training-step");
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    TokenBatch batch = TokenBatches.of(tokenizer, List.of("I want to talk to a person", "Where is my card?"));
    int[] labels = {1, 0};
    // README:begin training-step
    BertConfig config = BertConfig.load(dir.resolve("config.json")).withLabels(List.of("answer", "hand_off"));
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, config)) {
      AdamW optimizer = new AdamW(model.parameters(), OptimizerConfig.builder().lr(2e-5).build());
      model.train();                                       // dropout on, as model.train() in PyTorch
      INDArray logits = model.forward(batch);              // [batch, num_labels]
      double loss = model.loss(labels);                    // cross-entropy, mean over the batch
      model.backward();                                    // accumulates into model.parameters().grads()
      optimizer.step();                                    // clip, AdamW, schedule: optim's README
      model.parameters().zeroGrad();
      model.savePretrained(out);                           // config.json + model.safetensors, HF names
      System.out.printf("logits %s, loss %.4f, saved to %s%n", logits, loss, out);
    }
    // README:end
  }
}
