package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code jbert tokenize} run in-process on the shared MiniLM model. */
class TokenizeCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path miniLm() {
    return CliRun.model("all-MiniLM-L6-v2");
  }

  @Test
  void oneJsonLinePerInputInOrder() throws Exception {
    String input = "{\"text\": \"How do I change my shipping address?\", "
        + "\"text_pair\": \"You can update it under Account Settings before the order ships.\"}\n"
        + "{\"text\": \"cancel my order pls\"}\n";
    CliRun run = CliRun.withStdin(input, "tokenize", "--model", miniLm().toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(2, run.out().size());
    JsonNode pair = JSON.readTree(run.out().get(0));
    // Reference ids of the Hugging Face tokenizers library (reference.json, case_4).
    assertEquals("[101,2129,2079,1045,2689,2026,7829,4769,1029,102,2017,2064,10651,2009,2104,4070,10906,2077,1996,2344,3719,1012,102]",
        pair.get("input_ids").toString());
    assertEquals("[0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1]", pair.get("token_type_ids").toString());
    assertEquals(23, pair.get("attention_mask").size());
    assertEquals("{\"input_ids\":[101,17542,2026,2344,20228,2015,102],\"token_type_ids\":[0,0,0,0,0,0,0],"
        + "\"attention_mask\":[1,1,1,1,1,1,1],\"tokens\":[\"[CLS]\",\"cancel\",\"my\",\"order\",\"pl\",\"##s\",\"[SEP]\"]}",
        run.out().get(1));
  }

  @Test
  void maxLengthTruncatesLongestFirst() throws Exception {
    CliRun run = CliRun.withStdin("{\"text\": \"one two three four\", \"text_pair\": \"five six seven eight\"}\n",
        "tokenize", "--model", miniLm().toString(), "--max-length", "8");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode out = JSON.readTree(run.out().get(0));
    assertEquals("[\"[CLS]\",\"one\",\"two\",\"[SEP]\",\"five\",\"six\",\"seven\",\"[SEP]\"]", out.get("tokens").toString());
  }

  @Test
  void badLineStopsWithItsNumberAndExitCode2() {
    String input = "{\"text\": \"fine\"}\n{\"text\": 42}\n{\"text\": \"never reached\"}\n";
    CliRun run = CliRun.withStdin(input, "tokenize", "--model", miniLm().toString());
    assertEquals(2, run.exitCode());
    assertEquals(1, run.out().size()); // the good line before it was written
    assertTrue(run.err().contains("stdin line 2: \"text\" must be a string"), run.err());
  }

  @Test
  void malformedJsonAndImpossibleTruncationAreLineErrors() {
    CliRun malformed = CliRun.withStdin("{\"text\": \"a\"\n", "tokenize", "--model", miniLm().toString());
    assertEquals(2, malformed.exitCode());
    assertTrue(malformed.err().contains("stdin line 1: malformed JSON"), malformed.err());
    CliRun tooShort = CliRun.withStdin("{\"text\": \"a\", \"text_pair\": \"b\"}\n", "tokenize", "--model", miniLm().toString(), "--max-length", "2");
    assertEquals(2, tooShort.exitCode());
    assertTrue(tooShort.err().contains("stdin line 1: maxLength 2 cannot hold the 3 special tokens"), tooShort.err());
  }

  @Test
  void textsGivenAsArgumentsAreReadAsTextLines() {
    CliRun fromStdin = CliRun.withStdin("{\"text\": \"cancel my order pls\"}\n{\"text\": \"我要转人工\"}\n",
        "tokenize", "--model", miniLm().toString());
    CliRun fromArguments = CliRun.run("tokenize", "--model", miniLm().toString(), "cancel my order pls", "我要转人工");
    assertEquals(0, fromArguments.exitCode(), fromArguments.err());
    assertEquals(fromStdin.out(), fromArguments.out());
    CliRun tooShort = CliRun.run("tokenize", "--model", miniLm().toString(), "--max-length", "1", "a");
    assertEquals(2, tooShort.exitCode());
    assertTrue(tooShort.err().contains("argument 1: maxLength 1 cannot hold the 2 special tokens"), tooShort.err());
  }
}
