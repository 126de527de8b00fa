package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the shared {@code reference.json} files (ids computed by the Hugging Face tokenizers
 * library): ids, type ids, attention masks and tokens, single texts, a pair and a padded batch.
 */
class ReferenceIdsTest {

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (String model : List.of(Shared.MINILM, Shared.BGE_ZH)) {
      JsonNode reference = new ObjectMapper().readTree(Shared.model(model).resolve("reference/reference.json").toFile());
      for (JsonNode c : reference.get("cases")) {
        cases.add(Arguments.of(model, c.get("name").asText(), c));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesHuggingFace(String model, String name, JsonNode c) {
    BertTokenizer tokenizer = Shared.tokenizer(model);
    List<String> texts = strings(c.get("texts"));
    List<String> pairs = c.get("text_pairs").isNull() ? null : strings(c.get("text_pairs"));
    EncodeOptions options = EncodeOptions.DEFAULT.withPadding(PaddingStrategy.LONGEST);
    List<Encoding> encodings = tokenizer.encodeBatch(texts, pairs, options);
    for (int row = 0; row < texts.size(); row++) {
      Encoding e = encodings.get(row);
      String where = model + " " + name + " row " + row;
      assertArrayEquals(ints(c.get("input_ids").get(row)), e.inputIds(), where + " input_ids");
      assertArrayEquals(ints(c.get("token_type_ids").get(row)), e.typeIds(), where + " token_type_ids");
      assertArrayEquals(ints(c.get("attention_mask").get(row)), e.attentionMask(), where + " attention_mask");
      int real = Arrays.stream(e.attentionMask()).sum(); // reference tokens omit the pads
      assertEquals(strings(c.get("tokens").get(row)), List.of(e.tokens()).subList(0, real), where + " tokens");
    }
    if (texts.size() == 1) { // the single-text API gives the same encoding
      Encoding single = tokenizer.encode(texts.get(0), pairs == null ? null : pairs.get(0));
      assertArrayEquals(encodings.get(0).inputIds(), single.inputIds());
      assertArrayEquals(encodings.get(0).typeIds(), single.typeIds());
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
