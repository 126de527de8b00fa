package dev.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleReaderTest {

  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
  }

  private static ReadOptions textCategory() {
    return ReadOptions.defaults().withLabelColumn("category");
  }

  @Test
  void csvWithQuotedNewlinesCommasQuotesAndCrlf() throws IOException {
    Path f = file("a.csv", "text,category\r\n"
        + "plain,one\r\n"
        + "\"\nI can't use my card\n\n\n\",two\r\n"
        + "\"a, b and \"\"c\"\"\",one\r\n");
    List<Example> examples = ExampleReader.read(f, textCategory());
    assertEquals(3, examples.size());
    assertEquals("I can't use my card", examples.get(1).text(), "text is trimmed");
    assertEquals("two", examples.get(1).label());
    assertEquals("a, b and \"c\"", examples.get(2).text());
    assertEquals(List.of(2L, 3L, 8L), examples.stream().map(Example::line).toList(), "physical line where each record starts");
    assertEquals(f, examples.get(0).source());
  }

  @Test
  void byteOrderMarkIsIgnoredInTheHeader() throws IOException {
    Path f = file("bom.csv", "\uFEFFindex,reviewbody,star\n1,好吃,5.0\n2,一般,3.0\n");
    List<Example> examples = ExampleReader.read(f, ReadOptions.defaults().withTextColumn("reviewbody").withScoreColumn("star"));
    assertEquals(2, examples.size());
    assertEquals(5.0, examples.get(0).score());
    assertNull(examples.get(0).label());
    assertTrue(examples.get(1).isRegression());
  }

  @Test
  void tsvWithPairAndContextSeparatedTurns() throws IOException {
    Path f = file("p.tsv", "msg\treply\thistory\tlabel\n"
        + "where is my parcel?\tIt ships tomorrow.\thello ||| hi, how can I help?\t1\n"
        + "thanks\tGoodbye\t\t0\n");
    ReadOptions options = ReadOptions.defaults().withTextColumn("msg").withPairColumn("reply").withContextColumn("history");
    List<Example> examples = ExampleReader.read(f, options);
    assertEquals("It ships tomorrow.", examples.get(0).pair());
    assertEquals(List.of("hello", "hi, how can I help?"), examples.get(0).context());
    assertEquals("1", examples.get(0).label());
    assertEquals(List.of(), examples.get(1).context(), "an empty cell means no earlier turns");
  }

  @Test
  void emptyLinesAreSkippedButLinesStillCount() throws IOException {
    Path f = file("gaps.csv", "text,label\n\na,x\n\n\nb,y\n");
    List<Example> examples = ExampleReader.read(f, ReadOptions.defaults());
    assertEquals(List.of(3L, 6L), examples.stream().map(Example::line).toList());
  }

  @Test
  void jsonLinesWithPairContextAndNumericLabels() throws IOException {
    Path f = file("d.jsonl", "{\"text\": \"hi\", \"pair\": \"hello\", \"context\": [\"a\", \"b\"], \"label\": 1}\n"
        + "\n"
        + "{\"text\": \" second \", \"pair\": \"x\", \"label\": \"0\"}\r\n");
    List<Example> examples = ExampleReader.read(f, ReadOptions.defaults().withPairColumn("pair").withContextColumn("context"));
    assertEquals(2, examples.size());
    assertEquals("1", examples.get(0).label(), "integer labels are read as their text");
    assertEquals(List.of("a", "b"), examples.get(0).context());
    assertEquals("second", examples.get(1).text());
    assertEquals(List.of(), examples.get(1).context(), "a missing context field means no earlier turns");
    assertEquals(3, examples.get(1).line());
  }

  @Test
  void jsonLinesScoresMayBeNumbersOrNumericStrings() throws IOException {
    Path f = file("s.jsonl", "{\"text\": \"a\", \"y\": 4.5}\n{\"text\": \"b\", \"y\": \"2\"}\n");
    List<Example> examples = ExampleReader.read(f, ReadOptions.defaults().withScoreColumn("y"));
    assertEquals(4.5, examples.get(0).score());
    assertEquals(2.0, examples.get(1).score());
  }

  @Test
  void unlabelledInputForPrediction() throws IOException {
    Path f = file("u.csv", "text\nhello\n");
    Example e = ExampleReader.read(f, ReadOptions.defaults().withoutLabels()).get(0);
    assertFalse(e.isLabelled());
  }

  // ---- every error names file and line ----

  private static void assertNames(DataFileException e, Path file, long line) {
    assertEquals(file, e.file());
    assertEquals(line, e.line());
    assertTrue(e.getMessage().startsWith(file + ":" + line + ": "), e.getMessage());
  }

  @Test
  void rowWithTooFewFields() throws IOException {
    Path f = file("bad.csv", "text,category\r\nok,one\r\n\"multi\r\nline\",two\r\nmissing label\r\n");
    DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(f, textCategory()));
    assertNames(e, f, 5);
    assertTrue(e.getMessage().contains("1 field(s), the header has 2"), e.getMessage());
  }

  @Test
  void unterminatedQuoteNamesTheLineWhereTheRecordStarts() throws IOException {
    Path f = file("quote.csv", "text,category\nok,one\n\n\"never closed,two\nmore\n");
    DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(f, textCategory()));
    assertNames(e, f, 4);
  }

  @Test
  void emptyCsvFile() throws IOException {
    Path f = file("empty.csv", "");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, textCategory())), f, 1);
  }

  @Test
  void headerWithoutRows() throws IOException {
    Path f = file("header.csv", "text,category\r\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, textCategory())), f, 2);
  }

  @Test
  void emptyJsonLinesFile() throws IOException {
    Path f = file("empty.jsonl", "\n\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults())), f, 1);
  }

  @Test
  void missingCsvColumnListsTheColumns() throws IOException {
    Path f = file("cols.csv", "text,label\na,b\n");
    DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(f, textCategory()));
    assertNames(e, f, 1);
    assertTrue(e.getMessage().contains("no column 'category'") && e.getMessage().contains("[text, label]"), e.getMessage());
  }

  @Test
  void missingJsonField() throws IOException {
    Path f = file("m.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"txt\": \"b\", \"label\": \"y\"}\n");
    DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults()));
    assertNames(e, f, 2);
    assertTrue(e.getMessage().contains("'text'"), e.getMessage());
  }

  @Test
  void contextColumnThatNoRecordHas() throws IOException {
    Path f = file("c.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n");
    DataFileException e = assertThrows(DataFileException.class,
        () -> ExampleReader.read(f, ReadOptions.defaults().withContextColumn("history")));
    assertNames(e, f, 1);
  }

  @Test
  void invalidJsonLine() throws IOException {
    Path f = file("j.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": }\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults())), f, 2);
  }

  @Test
  void wrongJsonTypes() throws IOException {
    Path f = file("t.jsonl", "{\"text\": \"a\", \"label\": \"x\", \"context\": \"not a list\"}\n");
    assertNames(assertThrows(DataFileException.class,
        () -> ExampleReader.read(f, ReadOptions.defaults().withContextColumn("context"))), f, 1);
    Path g = file("t2.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": [\"a\"], \"label\": \"x\"}\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(g, ReadOptions.defaults())), g, 2);
  }

  @Test
  void blankTextOrLabel() throws IOException {
    Path f = file("blank.csv", "text,label\na,x\n\"  \",y\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults())), f, 3);
    Path g = file("blank2.csv", "text,label\na,x\nb,\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(g, ReadOptions.defaults())), g, 3);
  }

  @Test
  void scoreThatIsNotANumber() throws IOException {
    Path f = file("score.csv", "text,star\na,5.0\nb,five\n");
    DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults().withScoreColumn("star")));
    assertNames(e, f, 3);
    assertTrue(e.getMessage().contains("five"), e.getMessage());
  }

  @Test
  void bytesThatAreNotUtf8() throws IOException {
    Path f = Files.write(dir.resolve("latin1.csv"), new byte[] {'t', 'e', 'x', 't', ',', 'l', 'a', 'b', 'e', 'l', '\n', 'a', ',', 'b', '\n', 'c', (byte) 0xE9, ',', 'd', '\n'});
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults())), f, 3);
  }

  @Test
  void duplicateHeaderName() throws IOException {
    Path f = file("dup.csv", "text,text\na,b\n");
    assertNames(assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults())), f, 1);
  }

  @Test
  void unknownExtensionNeedsAFormat() throws IOException {
    Path f = file("data.txt", "text,label\na,b\n");
    assertThrows(DataFileException.class, () -> ExampleReader.read(f, ReadOptions.defaults()));
    assertEquals(1, ExampleReader.read(f, ReadOptions.defaults().withFormat(FileFormat.CSV)).size());
  }

  @Test
  void writtenJsonLinesReadBackEqual() throws IOException {
    List<Example> original = List.of(
        new Example("current", "reply", List.of("t1", "t2"), "appropriate", null, dir, 1),
        new Example("other", "reply 2", List.of(), "inappropriate", null, dir, 2));
    Path f = dir.resolve("out/round.jsonl");
    JsonlExampleWriter.write(original, f);
    List<Example> back = ExampleReader.read(f, JsonlExampleWriter.readOptions(original));
    assertEquals(2, back.size());
    for (int i = 0; i < 2; i++) {
      assertEquals(original.get(i).text(), back.get(i).text());
      assertEquals(original.get(i).pair(), back.get(i).pair());
      assertEquals(original.get(i).context(), back.get(i).context());
      assertEquals(original.get(i).label(), back.get(i).label());
      assertEquals(i + 1L, back.get(i).line());
    }
    List<Example> scored = List.of(Example.scored("a", 3.5, dir, 1));
    JsonlExampleWriter.write(scored, f);
    assertEquals(3.5, ExampleReader.read(f, JsonlExampleWriter.readOptions(scored)).get(0).score());
  }
}
