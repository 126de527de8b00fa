package dev.jbert.finetune.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLINC150 ({@code data_full.json}): one JSON object whose keys ({@code train}, {@code val}, {@code
 * test}, {@code oos_train}, {@code oos_val}, {@code oos_test}) each hold a list of {@code [text,
 * intent]} pairs. Out-of-scope examples carry the label {@value #OUT_OF_SCOPE}.
 */
public final class Clinc150 {

  /** The label of out-of-scope queries. */
  public static final String OUT_OF_SCOPE = "oos";

  private Clinc150() {}

  /**
   * The official splits. With {@code withOutOfScope} the {@code oos_*} lists are appended to the
   * matching split ({@code oos} becomes the 151st class, the paper's "oos-train" protocol); without,
   * only the 150 in-scope intents are kept.
   */
  public static DatasetSplits load(Path file, boolean withOutOfScope) {
    Map<String, List<Example>> sections = sections(file);
    return new DatasetSplits(withOutOfScope ? "clinc150" : "clinc150-inscope",
        split(file, sections, "train", withOutOfScope),
        split(file, sections, "val", withOutOfScope),
        split(file, sections, "test", withOutOfScope));
  }

  private static List<Example> split(Path file, Map<String, List<Example>> sections, String key, boolean withOutOfScope) {
    List<Example> out = new ArrayList<>(require(file, sections, key));
    if (withOutOfScope) {
      out.addAll(require(file, sections, "oos_" + key));
    }
    return out;
  }

  private static List<Example> require(Path file, Map<String, List<Example>> sections, String key) {
    List<Example> section = sections.get(key);
    if (section == null) {
      throw new DataFileException(file, 0, "no '" + key + "' list; found " + sections.keySet());
    }
    return section;
  }

  /** Every top-level list of the file, by key, each example with the line where its {@code [} is. */
  static Map<String, List<Example>> sections(Path file) {
    Map<String, List<Example>> sections = new LinkedHashMap<>();
    try (JsonParser p = Json.MAPPER.getFactory().createParser(file.toFile())) {
      expect(file, p, p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        expect(file, p, p.nextToken(), JsonToken.START_ARRAY);
        List<Example> examples = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_ARRAY) {
          long line = p.currentTokenLocation().getLineNr();
          String text = string(file, p);
          String label = string(file, p);
          expect(file, p, p.nextToken(), JsonToken.END_ARRAY);
          examples.add(Example.labelled(text, label, file, line));
        }
        expect(file, p, p.currentToken(), JsonToken.END_ARRAY);
        sections.put(key, examples);
      }
    } catch (JsonProcessingException e) {
      throw new DataFileException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return sections;
  }

  private static String string(Path file, JsonParser p) throws IOException {
    expect(file, p, p.nextToken(), JsonToken.VALUE_STRING);
    String value = p.getText().strip();
    if (value.isEmpty()) {
      throw new DataFileException(file, p.currentTokenLocation().getLineNr(), "empty string in a [text, intent] pair");
    }
    return value;
  }

  private static void expect(Path file, JsonParser p, JsonToken actual, JsonToken expected) {
    if (actual != expected) {
      throw new DataFileException(file, p.currentTokenLocation().getLineNr(),
          "expected " + expected + " (lists of [text, intent] pairs under each key), found " + actual);
    }
  }
}
