package dev.jbert.examples;

import dev.jbert.core.BertModel;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loads a Hugging Face BERT checkpoint and runs one sentence through it: the README's snippet, which
 * is the marked region below (a test keeps the two the same).
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.LoadModel
 * </pre>
 */
public final class LoadModel {

  private LoadModel() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/models/all-MiniLM-L6-v2");
    // README:begin load-model
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    try (BertModel model = BertModel.fromPretrained(dir, DataType.FLOAT)) {
      model.setGradEnabled(false);                      // inference only, as torch.no_grad()
      Encoding e = tokenizer.encode("My card still hasn't arrived.");
      INDArray hidden = model.forward(new int[][] {e.inputIds()}, new int[][] {e.typeIds()},
          new int[][] {e.attentionMask()}).lastHiddenState();                   // [1, seq, hidden]
      System.out.println(Arrays.toString(hidden.shape()));                     // [1, 10, 384]
    }
    // README:end
  }
}
