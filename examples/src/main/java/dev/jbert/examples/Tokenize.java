package dev.jbert.examples;

import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import dev.jbert.tokenizer.PaddingStrategy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The tokenizer on its own (no ND4J): a pair, a padded batch, decoding, Chinese. The marked region
 * is the tokenizer's README snippet (a test keeps the two the same).
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.Tokenize
 * </pre>
 */
public final class Tokenize {

  private Tokenize() {}

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args.length > 0 ? args[0] : "../shared/models");
    // README:begin tokenize
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(models.resolve("all-MiniLM-L6-v2"));
    Encoding pair = tokenizer.encode("Where is my card?", "It was sent on Monday.");
    System.out.println(Arrays.toString(pair.tokens()));
    // [[CLS], where, is, my, card, ?, [SEP], it, was, sent, on, monday, ., [SEP]]
    System.out.println(Arrays.toString(pair.typeIds()));     // [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]

    List<Encoding> batch = tokenizer.encodeBatch(List.of("Refund please", "My card hasn't arrived"),
        EncodeOptions.truncatedTo(64).withPadding(PaddingStrategy.LONGEST));
    System.out.println(Arrays.toString(batch.get(0).attentionMask()));   // [1, 1, 1, 1, 1, 0, 0, 0]
    System.out.println(tokenizer.decode(batch.get(1).inputIds(), true)); // my card hasn't arrived

    BertTokenizer chinese = BertTokenizer.fromPretrained(models.resolve("bge-small-zh-v1.5"));
    System.out.println(Arrays.toString(chinese.encode("我要转人工").tokens()));
    // [[CLS], 我, 要, 转, 人, 工, [SEP]]
    // README:end
  }
}
